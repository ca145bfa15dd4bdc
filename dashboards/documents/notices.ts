// The documents of a month (docs/outputs.md §7.4), as Word files laid out per GB/T 9704
// (gbt9704.ts): one 限期整改通知书 per department with systems issued or open on the rectification
// list — addressed to the department, each system with its conditions, the figures of the months
// they held, its deadline, the articles quoted verbatim from the profile, and how to reply — one
// 整改到期提醒 per department whose notices fall due within 15 days of the document's date, and the
// month's 淘汰退出清单（报批稿） with its signature block. Each file is written whole or not at all.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Paragraph, Table } from 'docx';
import { addDays } from '../../core/clock.ts';
import { groupBy } from '../../core/collections.ts';
import { CONDITIONS, metricDef } from '../../metrics/definitions.ts';
import { conditionZh, label, monthZh } from '../../metrics/labels.ts';
import { citationLabel } from '../../metrics/profiles/measures.ts';
import type { Profile, Rule } from '../../metrics/profiles/schema.ts';
import type { LoadedProfile, Results } from '../../pipelines/read.ts';
import { type EliminationEntry, type MonthDocumentsData, type NoticeSystem, loadMonthDocuments } from './data.ts';
import {
  TYPE_WIDTH,
  addressee,
  body,
  documentNumber,
  heading1,
  heading2,
  pack,
  section,
  signOff,
  signatureLines,
  table,
  title,
} from './gbt9704.ts';

export interface NoticeOptions {
  month: string;
  outDir: string;
  /** the document's date and the day reminders count from; default today (Asia/Shanghai) of `now` */
  date: string;
  /** the issuing authority (发文机关), e.g. 云川市数据局 */
  issuer?: string;
  /** the 文号 prefix, e.g. 临数局〔2026〕; a placeholder 〔YYYY〕 号 when absent */
  docPrefix?: string;
  /** the profile the month was run with (else read by its name) */
  profile?: LoadedProfile;
}

export interface NoticeFile {
  kind: 'notice' | 'reminder' | 'elimination';
  department: string | null;
  file: string;
  systems: string[];
}

/** A reminder goes out when a deadline falls within this many days of the document's date. */
export const REMINDER_DAYS = 15;

const CN_NUMBERS = '一二三四五六七八九十';
const cn = (n: number): string => (n <= 10 ? CN_NUMBERS[n - 1] : n < 20 ? `十${CN_NUMBERS[n - 11]}` : String(n));
const dateZh = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const amount = (x: number | null, digits = 0) =>
  x === null ? '—' : x.toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const safeName = (s: string) => s.replace(/[\\/:*?"<>|\r\n\t]/g, '_').slice(0, 80);

/** The articles of some rules, quoted verbatim: 《…》第六条：“…”; a bureau practice says so. */
function quotes(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (r.citations.length === 0) out.add(label('basis', 'practice'));
    for (const c of r.citations) out.add(`${citationLabel(c)}：“${c.quote}”`);
  }
  return [...out];
}

/** The measures and articles a set of rules rests on, for the opening sentence: 《…》第三十六条、第六条. */
function basisOf(rules: readonly Rule[]): string {
  const byMeasure = new Map<string, string[]>();
  for (const c of rules.flatMap((r) => r.citations)) {
    const m = citationLabel({ file: c.file, article: '' });
    const list = byMeasure.get(m) ?? [];
    if (!list.includes(c.article)) list.push(c.article);
    byMeasure.set(m, list);
  }
  return byMeasure.size ? [...byMeasure].map(([m, a]) => `${m}${a.join('、')}`).join('，') : '本市政务信息化项目管理有关规定';
}

function conditionsText(n: NoticeSystem): string {
  return n.conditions
    .map((c) => `${conditionZh(c.condition)}，已连续 ${c.streak} 个月${c.warned ? '（已达到限期整改月数）' : ''}`)
    .join('；');
}

/** One month's figures, the metrics that show the conditions of the notice. */
function figuresText(n: NoticeSystem): string {
  const shown = new Set(['days_reported']);
  for (const c of n.conditions) for (const m of metricsOf(c.condition)) shown.add(m);
  return n.figures
    .map(
      (f) =>
        `${monthZh(f.month)}：${[...shown]
          .map((m) => {
            const def = metricDef(m);
            const v = f[m] as number | null;
            return `${def.zh} ${v === null ? '无数据' : `${amount(v, def.digits)}${def.unit === '%' ? '%' : ` ${def.unit}`}`}`;
          })
          .join('，')}`,
    )
    .join('；');
}

/** The metrics that show a condition (metrics/definitions.ts). */
function metricsOf(condition: string): readonly string[] {
  return CONDITIONS.find((c) => c.name === condition)?.evidence ?? [];
}

function decisionText(n: NoticeSystem): string {
  if (!n.decision_note) return '';
  const ref = [n.decision_document_no, n.decision_date ? dateZh(n.decision_date) : null].filter(Boolean).join('，');
  const reason = n.decision_note === 'reply_rejected' && n.decision_reason ? `，理由：${n.decision_reason}` : '';
  return `；${label('notice_decision', n.decision_note)}${ref ? `（${ref}${reason}）` : reason}`;
}

const rulesOfNotice = (p: Profile, systems: readonly NoticeSystem[]): Rule[] => [
  p.rectification,
  ...[...new Set(systems.flatMap((s) => s.conditions.map((c) => c.condition)))].map((c) => p.monitoring[c]),
];

/** 限期整改通知书 for one department. */
function noticeDocument(d: MonthDocumentsData, department: string, systems: NoticeSystem[], o: NoticeOptions): (Paragraph | Table)[] {
  const issuer = o.issuer ?? '市数据局';
  const rules = rulesOfNotice(d.profile.profile, systems);
  return [
    documentNumber(o.docPrefix, Number(o.date.slice(0, 4))),
    title('关于限期整改政务信息系统运行问题的通知'),
    addressee(department),
    body(
      `根据${basisOf(rules)}的规定，对已建成运行的政务信息系统每月进行运行监测。${monthZh(d.month)}监测发现，你单位下列 ${systems.length} 个系统存在运行问题，已列入限期整改清单。现将有关情况通知如下：`,
    ),
    heading1('一、存在问题的系统'),
    ...systems.flatMap((n, i) => [
      heading2(`（${cn(i + 1)}）${n.system_name}（系统编号 ${n.system_id}）`),
      body(`1. 存在问题：${conditionsText(n)}。`),
      body(`2. 有关月份指标：${figuresText(n)}。`),
      body(`3. 整改期限：${dateZh(n.deadline)}前。`),
      body(
        `4. 通知状态：${n.status === 'issued' ? '本月首次下发' : `${label('notice_status', 'open')}（${monthZh(n.issued_month)}首次下发，已持续 ${n.months_open} 个月）`}${decisionText(n)}。`,
      ),
    ]),
    heading1('二、依据'),
    ...quotes(rules).map((q) => body(q)),
    heading1('三、整改要求及回复方式'),
    body(
      `请你单位在整改期限前完成整改，并将整改情况说明（包括问题原因、整改措施、完成时间及运行监测数据等佐证材料）书面报送${issuer}。确需保留系统、申请豁免的，请一并书面说明理由及拟保留期限。`,
    ),
    body('逾期未整改、整改后问题仍然存在或整改说明不予认可的，将按上述规定列入淘汰退出清单，收回云资源，关停相关系统。'),
    body('联系人：　　　　　　　　；联系电话：　　　　　　　　。'),
    ...signOff(issuer, o.date),
  ];
}

/** 整改到期提醒 for one department: its notices due within REMINDER_DAYS days of the document's date. */
function reminderDocument(d: MonthDocumentsData, department: string, systems: NoticeSystem[], o: NoticeOptions): (Paragraph | Table)[] {
  const issuer = o.issuer ?? '市数据局';
  const days = (deadline: string) => Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${o.date}T00:00:00Z`)) / 86_400_000);
  return [
    documentNumber(o.docPrefix, Number(o.date.slice(0, 4))),
    title('关于限期整改即将到期的提醒'),
    addressee(department),
    body(`你单位下列系统的限期整改将于 ${REMINDER_DAYS} 日内到期，截至${dateZh(o.date)}仍在整改清单上。请抓紧落实整改：`),
    ...systems.map((n, i) =>
      body(
        `${i + 1}. ${n.system_name}（系统编号 ${n.system_id}）：${conditionsText(n)}；整改期限 ${dateZh(n.deadline)}，还有 ${days(n.deadline)} 天。`,
      ),
    ),
    body(`请于整改期限前完成整改，并将整改情况说明书面报送${issuer}。逾期未完成整改的，将按规定列入淘汰退出清单。`),
    heading1('依据'),
    ...quotes(rulesOfNotice(d.profile.profile, systems)).map((q) => body(q)),
    ...signOff(issuer, o.date),
  ];
}

function conditionsOfEntry(e: EliminationEntry): string {
  return e.conditions.map((c) => `${conditionZh(c.condition)}（${c.from_month} 起连续 ${c.streak} 个月）`).join('；');
}

/** 淘汰退出清单（报批稿） of the month. */
function eliminationDocument(d: MonthDocumentsData, o: NoticeOptions): (Paragraph | Table)[] {
  const issuer = o.issuer ?? '市数据局';
  const p = d.profile.profile;
  const listed = d.elimination.filter((e) => !e.exempt);
  const exempt = d.elimination.filter((e) => e.exempt);
  const conds = [...new Set(d.elimination.flatMap((e) => e.conditions.map((c) => c.condition)))];
  const rules = [p.elimination, ...conds.map((c) => p.monitoring[c])];
  const sum = (f: (e: EliminationEntry) => number | null) => listed.reduce((a, e) => a + (f(e) ?? 0), 0);
  const w = TYPE_WIDTH;
  return [
    title([`${monthZh(d.month)}政务信息系统`, '淘汰退出（关停）清单（报批稿）']),
    body(
      `根据${basisOf(rules)}的规定，下列 ${listed.length} 个系统的运行问题连续月数已达到淘汰月数，且不在豁免期内，拟列入淘汰退出清单，收回云资源、关停系统。另有 ${exempt.length} 个系统本应列入，因在豁免期内暂不列入，一并列出。现报请审批。`,
    ),
    heading1('一、拟淘汰退出的系统'),
    listed.length
      ? table(
          ['序号', '系统名称（编号）', '建设单位', '淘汰原因', '回收资源', '年云资源费用（元）', '决定状态'],
          listed.map((e, i) => [
            String(i + 1),
            `${e.system_name}（${e.system_id}）`,
            e.department,
            conditionsOfEntry(e),
            `vCPU ${amount(e.vcpu)} 个，内存 ${amount(e.memory_gb, 1)} GB，存储 ${amount(e.storage_gb, 1)} GB`,
            amount(e.cloud_cost_annual, 2),
            `${label('decision_status', e.decision_status)}${e.decision_document_no ? `（${e.decision_document_no}）` : ''}`,
          ]),
          [0.07, 0.19, 0.12, 0.21, 0.17, 0.14, 0.1].map((x) => Math.floor(x * w)),
        )
      : body('本月无系统列入淘汰退出清单。'),
    body(
      `合计：${listed.length} 个系统，回收 vCPU ${amount(sum((e) => e.vcpu))} 个、内存 ${amount(
        sum((e) => e.memory_gb),
        1,
      )} GB、存储 ${amount(
        sum((e) => e.storage_gb),
        1,
      )} GB，年云资源费用 ${amount(
        sum((e) => e.cloud_cost_annual),
        2,
      )} 元。`,
    ),
    heading1('二、豁免的系统'),
    exempt.length
      ? table(
          ['序号', '系统名称（编号）', '建设单位', '本应列入的原因', '豁免至', '豁免理由及来源'],
          exempt.map((e, i) => [
            String(i + 1),
            `${e.system_name}（${e.system_id}）`,
            e.department,
            conditionsOfEntry(e),
            e.exempt_until ? dateZh(e.exempt_until) : '—',
            `${e.exempt_reason ?? ''}（${label('exempt_source', e.exempt_source ?? 'registry')}${e.exempt_document_no ? `，${e.exempt_document_no}` : ''}）`,
          ]),
          [0.07, 0.22, 0.14, 0.25, 0.12, 0.2].map((x) => Math.floor(x * w)),
        )
      : body('本月无豁免系统。'),
    heading1('三、依据'),
    ...quotes(rules).map((q) => body(q)),
    body(`拟稿单位：${issuer}　　拟稿日期：${dateZh(o.date)}`, { indent: false }),
    ...signatureLines(['经办人', '审核人', '批准人']),
  ];
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/** Write the month's documents into `outDir`; returns what was written. */
export async function writeMonthDocuments(store: Results, o: NoticeOptions): Promise<NoticeFile[]> {
  const d = await loadMonthDocuments(store, o.month, o.profile);
  fs.mkdirSync(o.outDir, { recursive: true });
  const out: NoticeFile[] = [];
  const byDept = groupBy(d.notices, (n) => n.department);
  const departments = [...byDept.keys()].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const horizon = addDays(o.date, REMINDER_DAYS);
  for (const dept of departments) {
    const systems = byDept.get(dept)!;
    const file = path.join(o.outDir, `限期整改通知书-${safeName(dept)}.docx`);
    await writeAtomically(
      file,
      await pack([section(noticeDocument(d, dept, systems, o))], { title: `限期整改通知书（${dept}）`, date: o.date }),
    );
    out.push({ kind: 'notice', department: dept, file, systems: systems.map((s) => s.system_id) });
    const due = systems.filter((s) => s.deadline >= o.date && s.deadline <= horizon);
    if (due.length) {
      const r = path.join(o.outDir, `整改到期提醒-${safeName(dept)}.docx`);
      await writeAtomically(
        r,
        await pack([section(reminderDocument(d, dept, due, o))], { title: `整改到期提醒（${dept}）`, date: o.date }),
      );
      out.push({ kind: 'reminder', department: dept, file: r, systems: due.map((s) => s.system_id) });
    }
  }
  const e = path.join(o.outDir, `淘汰退出清单（报批稿）-${o.month}.docx`);
  await writeAtomically(
    e,
    await pack([section(eliminationDocument(d, o))], { title: `${monthZh(o.month)}淘汰退出清单（报批稿）`, date: o.date }),
  );
  out.push({ kind: 'elimination', department: null, file: e, systems: d.elimination.map((x) => x.system_id) });
  return out;
}
