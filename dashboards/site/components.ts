// Building blocks the pages share: sortable and filterable tables, the filter bar, KPI tiles,
// figures, chart placeholders, condition badges and citation lists. Everything goes through
// `html`, so what a row holds is escaped wherever it lands (text or attribute).

import { html, jsonScript, raw, type Html, type Interpolation } from './html.ts';
import { conditionZh } from '../../metrics/labels.ts';
import type { VlSpec } from './vega.ts';

export interface Column<T> {
  head: string;
  cell: (r: T) => Interpolation;
  /** the value the column sorts by (number or text); omitted: not sortable */
  sort?: (r: T) => string | number | null | undefined;
  /** numeric column: right-aligned */
  num?: boolean;
  /** never broken across lines; defaults to true for a column of system ids or dates (see NOWRAP_HEAD) */
  nowrap?: boolean;
  /** shown on screen only (hidden when printed) */
  screenOnly?: boolean;
  /** a class of its cells: c-id, c-date, c-status, c-ref (fixed widths when printed, assets/print.css) */
  className?: string;
}

/**
 * Columns whose values must not break at their hyphens (YC-GA-/002, 2027-01-/31), on screen and
 * on paper: system ids, dates, deadlines and months — by their Chinese heads, so every table gets it.
 */
const NOWRAP_HEAD = /系统编号|日期|期限|月份|截止|至$|^月$/;

export interface TableOptions<T> {
  /** data-f-<key> attributes a filter bar matches against (space-separated tokens for lists) */
  filters?: (r: T) => Record<string, string>;
  empty?: string;
  caption?: Interpolation;
  className?: string;
  rowClass?: (r: T) => string;
}

function filterAttrs(f: Record<string, string> | undefined): Html {
  if (!f) return raw('');
  return raw(
    Object.entries(f)
      .map(([k, v]) => html` data-f-${raw(k.replace(/[^a-z0-9-]/g, ''))}="${v}"`.value)
      .join(''),
  );
}

export function table<T>(id: string, cols: readonly Column<T>[], rows: readonly T[], o: TableOptions<T> = {}): Html {
  if (!rows.length) return html`<p class="empty">${o.empty ?? '无'}</p>`;
  const cls = (c: Column<T>) =>
    [c.num ? 'num' : '', (c.nowrap ?? NOWRAP_HEAD.test(c.head)) ? 'nw' : '', c.screenOnly ? 'screen-only' : '', c.className ?? '']
      .filter(Boolean)
      .join(' ');
  const head = cols.map(
    (c, i) =>
      html`<th scope="col" class="${cls(c)}"${c.sort ? html` data-sort-col="${i}" aria-sort="none"` : ''}>${c.sort ? html`<button type="button">${c.head}</button>` : c.head}</th>`,
  );
  const body = rows.map((r) => {
    const cells = cols.map((c) => {
      const s = c.sort?.(r);
      return html`<td class="${cls(c)}"${s !== undefined && s !== null ? html` data-v="${s}"` : ''}>${c.cell(r)}</td>`;
    });
    return html`<tr${o.rowClass ? html` class="${o.rowClass(r)}"` : ''}${filterAttrs(o.filters?.(r))}>${cells}</tr>\n`;
  });
  return html`<div class="table-wrap"><table id="${id}" class="data ${o.className ?? ''}">
${o.caption ? html`<caption>${o.caption}</caption>` : ''}<thead><tr>${head}</tr></thead>
<tbody>
${body}</tbody></table></div>`;
}

export interface FilterSelect {
  key: string;
  label: string;
  options: readonly (readonly [value: string, label: string])[];
}

/** Search box, selects and a row count for the table `id` (and its filter group). */
export function filterBar(id: string, selects: readonly FilterSelect[], extra: Interpolation = ''): Html {
  return html`<div class="filters screen-only" data-filter-for="${id}" role="search">
  <label>搜索 <input type="search" data-filter-text placeholder="系统名称、编号或建设单位" size="24"></label>
  ${selects.map(
    (s) =>
      html`<label>${s.label} <select data-filter-key="${s.key}"><option value="">全部</option>${s.options.map(
        ([v, l]) => html`<option value="${v}">${l}</option>`,
      )}</select></label>`,
  )}
  <span class="count" data-count aria-live="polite"></span>
  ${extra}
</div>`;
}

export function printButton(label = '打印'): Html {
  return html`<button type="button" class="screen-only" data-print>${label}</button>`;
}

/** A link to an XLSX of the site; without one (see build.ts), a note saying why. */
export function download(href: string | undefined, label: string): Html {
  if (!href)
    return html`<span class="download muted screen-only" title="运行结果中含有现已标记为涉密的系统，请重新运行本月后再生成站点">（XLSX 暂不提供）</span>`;
  return html`<a class="download screen-only" href="${href}" download>${label}</a>`;
}

export interface Kpi {
  key: string;
  label: string;
  value: string;
  /** the raw number, for tests and tooltips */
  raw: number | null;
  note?: Interpolation;
  href?: string;
  tone?: 'warn' | 'bad' | 'ok';
}

export function kpis(items: readonly Kpi[]): Html {
  return html`<div class="kpis">${items.map(
    (k) => html`<div class="kpi ${k.tone ?? ''}" data-kpi="${k.key}" data-value="${k.raw ?? ''}">
  <div class="label">${k.href ? html`<a href="${k.href}">${k.label}</a>` : k.label}</div>
  <div class="value">${k.value}</div>
  ${k.note ? html`<div class="note">${k.note}</div>` : ''}
</div>`,
  )}</div>`;
}

/** A static chart (Plot SVG from the server) with its caption. */
export function figure(svg: string, caption: Interpolation, cls = ''): Html {
  return html`<figure class="chart ${cls}">${raw(svg)}<figcaption>${caption}</figcaption></figure>`;
}

/** A placeholder the page fills with vega-embed, and the spec it reads. */
export function vegaChart(id: string, spec: VlSpec, arrow: readonly string[] = []): Html {
  return html`<div class="vega screen-only" id="${id}" role="img" aria-label="${String(spec.title ?? '')}"></div>
${jsonScript(`${id}-spec`, spec, { 'data-vega': id, ...(arrow.length ? { 'data-arrow': arrow.join(' ') } : {}) })}`;
}

export function conditionBadge(c: string, streak?: number, extra = ''): Html {
  return html`<span class="badge c-${c}">${conditionZh(c)}${streak !== undefined ? `（连续 ${streak} 个月${extra}）` : ''}</span>`;
}

export function citations(list: readonly string[]): Html {
  if (!list.length) return html`<span class="muted">—</span>`;
  return html`<ul class="cites">${list.map((c) => html`<li>${c}</li>`)}</ul>`;
}

/**
 * Citations as numbered notes (docs/outputs.md §7.4): a row's cell shows the numbers ([1][3]) when
 * printed and the articles on screen; the notes, numbered in order of first appearance, go under
 * the table (printed only: the screen shows the articles in the rows).
 */
export function citationNotes<T>(rows: readonly T[], of: (r: T) => readonly string[]): { cell: (r: T) => Html; notes: Html } {
  const no = new Map<string, number>();
  for (const r of rows) for (const c of of(r)) if (!no.has(c)) no.set(c, no.size + 1);
  return {
    cell: (r) =>
      html`<span class="screen-only">${citations(of(r))}</span><span class="print-only note-refs">${of(r)
        .map((c) => `[${no.get(c)}]`)
        .join('')}</span>`,
    notes: no.size
      ? html`<div class="notes print-only"><p class="notes-head">注（依据）：</p><ol>${[...no.keys()].map((c) => html`<li>${c}</li>`)}</ol></div>`
      : html``,
  };
}

/** The signature block (审核人、批准人、日期), kept on the page with the end of the table before it when printed. */
export function signatureBlock(summary: Interpolation, roles: readonly string[] = ['审核人', '批准人']): Html {
  return html`<div class="signatures">
  ${summary ? html`<p>${summary}</p>` : ''}
  ${roles.map((r) => html`<div class="sig"><span>${r}（签字）：</span><span class="line"></span><span>日期：</span><span class="line short"></span></div>`)}
</div>`;
}

export function section(title: string, body: Interpolation, id?: string): Html {
  return html`<section${id ? html` id="${id}"` : ''}><h2>${title}</h2>${body}</section>`;
}

/** A definition list of label → value pairs. */
export function facts(pairs: readonly (readonly [string, Interpolation])[]): Html {
  return html`<dl class="facts">${pairs.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}
