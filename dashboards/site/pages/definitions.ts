// 指标口径: generated from the definitions the SQL is built from — MONTHLY_METRICS and CONDITIONS
// (metrics/definitions.ts), the SQL models as loadModels() renders them (metrics/models/*.sql,
// placeholders filled) — and the thresholds of the profile in force. Nothing here is written by
// hand, so the page cannot drift from the numbers.

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import { facts, section, table, type Column } from '../components.ts';
import { CONDITIONS, MONTHLY_METRICS, type ConditionDef, type MetricDef } from '../../../metrics/definitions.ts';
import { costSharingRuleText, seasonRuleText } from '../../../metrics/profiles/show.ts';
import type { Model } from '../../../metrics/model-sql.ts';
import { label } from '../../../metrics/labels.ts';
import { runModels } from '../../../pipelines/read.ts';
import { PAGES } from '../paths.ts';
import type { PageSpec } from '../layout.ts';

let models: { monthly: Model[]; annual: Model[] } | undefined;
/** The SQL models, read once per process (they are files of the release, not data). */
function allModels(): { monthly: Model[]; annual: Model[] } {
  models ??= runModels();
  return models;
}

export function definitionsPage(ctx: SiteContext): PageSpec {
  const p = ctx.profile;
  const metricCols: Column<MetricDef>[] = [
    { head: '指标', cell: (d) => html`<strong>${d.zh}</strong>` },
    { head: '字段', cell: (d) => html`<code>${d.name}</code>` },
    { head: '单位', cell: (d) => d.unit },
    { head: '口径', cell: (d) => d.description },
    { head: 'SQL', cell: (d) => html`<code class="sql">${d.sql}</code>` },
    { head: '层级', cell: (d) => (d.stage === 'aggregate' ? '按月汇总' : '由汇总值派生') },
    { head: '显示精度', cell: (d) => `${d.digits} 位小数` },
  ];
  const paramsOf = (c: ConditionDef) =>
    c.params.map((k) => `p.${c.name}_${k} = ${String((p.monitoring[c.name] as unknown as Record<string, unknown>)[k])}`);
  const condCols: Column<ConditionDef>[] = [
    { head: '问题', cell: (c) => html`<strong>${c.zh}</strong>` },
    { head: '字段', cell: (c) => html`<code>${c.name}</code>` },
    { head: '口径', cell: (c) => c.description },
    { head: 'SQL（m：当月指标，p：政策参数）', cell: (c) => html`<code class="sql">coalesce(${c.sql}, false)</code>` },
    { head: '参数（本配置）', cell: (c) => (c.params.length ? html`${paramsOf(c).map((x) => html`<code>${x}</code><br>`)}` : '—') },
    { head: '预警 / 淘汰月数', cell: (c) => `${p.monitoring[c.name].warn_months} / ${p.monitoring[c.name].eliminate_months ?? '不淘汰'}` },
    { head: '证据指标', cell: (c) => html`${c.evidence.map((e) => html`<code>${e}</code> `)}` },
  ];
  const modelList = (list: Model[], title: string) =>
    html`<h3>${title}</h3>${list.map(
      (m) =>
        html`<details class="model" id="model-${m.name}"><summary><code>${m.name}</code> <span class="muted">（${m.file}）</span> — ${m.grain}</summary><pre><code>${m.sql.trim()}</code></pre></details>`,
    )}`;
  const { monthly, annual } = allModels();
  const rs = p.rightsizing;
  const body = html`<h1>指标口径</h1>
<p>本页由计算所用的同一份定义自动生成：指标与问题的 SQL 表达式、各层 SQL 模型，以及当前政策配置“${ctx.meta.profileName}”的阈值。月份为自然月（北京时间）。</p>
${section('月度运行指标', html`<p>对系统 s 在月份 m 的监测数据行（t）计算；均值忽略空值，没有非空值的指标为空。</p>${table('metric-defs', metricCols, MONTHLY_METRICS)}`, 'metrics')}
${section(
  '问题判定与连续月数',
  html`<p>每月对运行阶段、非涉密的系统判定下列问题；与空值的比较不成立。某问题的“连续月数”为截至当月连续成立的月数，任一月不成立即归零。连续月数达到预警月数列入限期整改清单，达到淘汰月数（且不在豁免期内）列入淘汰退出清单。</p>
${table('condition-defs', condCols, CONDITIONS)}`,
  'conditions',
)}
${section(
  '季节性系统（使用月份）',
  html`${seasonRuleText(p).map((t) => html`<p>${t}</p>`)}
<p>受影响的问题：${CONDITIONS.filter((c) => c.seasonal).map((c) => html`<strong>${c.zh}</strong>（<code>${c.name}</code>） `)}；SQL 中为 <code>coalesce(NOT m.off_season AND (…), false)</code>，连续月数只计使用月份（见下方模型 <code>int_streaks</code>）。“使用月份”写法：<code>3-6</code>、<code>1,2,12</code>、<code>11-2</code>（跨年）、<code>3、4、5</code>。</p>`,
  'seasonal',
)}
${section(
  '云资源费用市县分摊',
  p.cost_sharing
    ? html`<p>${costSharingRuleText(p.cost_sharing.threshold_yuan)}</p><p>金额以分为单位用整数运算：各方金额 = ⌊(2 × 费用（分）× 权重 + 权重合计) ÷ (2 × 权重合计)⌋（四舍五入）；人口分摊的权重为上年常住人口，方案分摊的权重为方案比例（按各比例占合计的份额计算）。分摊年度为运行月份所在年度。</p>`
    : html`<p>本配置不实行市县云资源费用分摊。</p>`,
  'cost-sharing',
)}
${section(
  '云资源减配',
  facts([
    ['条件', `连续 ${rs.months} 个月 CPU 峰值 P95 均低于 ${rs.p95_max}%，且未列入淘汰退出清单`],
    ['建议 vCPU', `max(1, ceil(vCPU × 这 ${rs.months} 个月 P95 的最大值 ÷ ${rs.target_p95}))`],
    ['可节约费用', '年云资源费用按 vCPU 比例折算'],
  ]),
  'rightsizing',
)}
${section(
  '数据共享完整性',
  html`${facts([
    ['已编目', '编目日期不晚于月末的资源数'],
    ['可共享', '已编目且共享属性不是“不予共享”的资源数'],
    ['已归集', '可共享且最近归集日期不晚于月末的资源数'],
    ['按时更新', '已归集且（月末 − 最近归集日期）不超过更新周期窗口的资源数'],
    ['归集完整率', '100 × 按时更新 ÷ 可共享；无可共享资源时为空'],
    ['共享不达标', `运行中未编目，或归集完整率低于 ${p.sharing.min_pct}%，或存在重复采集`],
    ['编目期限', `初步验收后第 ${p.catalog_deadline.working_days} 个工作日（按法定节假日及调休安排）`],
  ])}
<table class="data"><thead><tr><th scope="col">更新周期</th>${Object.keys(p.sharing.windows).map((k) => html`<th scope="col" class="num">${label('update_cycle', k)}</th>`)}</tr></thead>
<tbody><tr><th scope="row">时效窗口（天）</th>${Object.values(p.sharing.windows).map((v) => html`<td class="num">${v}</td>`)}</tr></tbody></table>`,
  'sharing',
)}
${section(
  'SQL 模型',
  html`<p>按 dbt 的分层方式（stg → int → mart）逐个建成临时表；每个模型注明其粒度。下列 SQL 即运行时执行的文本（占位符已由上面的定义填入）。</p>
${modelList(monthly, '月度运行')}
${modelList(annual, '年度评价')}`,
  'models',
)}
<p class="muted">阈值与依据见<a href="${PAGES.profile.file}">政策配置</a>。</p>`;
  return { file: PAGES.definitions.file, title: '指标口径', active: 'definitions', body };
}
