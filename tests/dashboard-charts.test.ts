// Snapshot tests of the dashboard's charts, in the manner of Observable Plot's own: each test
// renders a chart from fixed inputs; the output is normalised (numbers rounded to two decimals,
// the spec pretty-printed) and compared with tests/output/<name>.svg or <name>.vl.json.
//   - a mismatch writes tests/output/<name>-changed.svg (or -changed.vl.json) for a person to
//     look at and fails;
//   - a missing snapshot is written and the test fails once ("new snapshot, check and commit it"),
//     so a snapshot never passes unseen;
//   - GOVMON_UPDATE_SNAPSHOTS=1 rewrites the snapshots that differ.
// The small DOM the builder draws into (svg-dom.ts) must give exactly what linkedom gives.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MONTHLY_METRICS, metricDef } from '../metrics/definitions.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import {
  compactNumbers,
  conditionBars,
  integerTicks,
  metricChart,
  scoreHistogram,
  sharingChart,
  usePlotDocument,
  type MonthValue,
} from '../dashboards/site/plot.ts';
import { thresholdsOf } from '../dashboards/site/thresholds.ts';
import {
  conditionTrendSpec,
  listTrendSpec,
  reclaimTrendSpec,
  sharingTrendSpec,
  systemMetricsSpec,
  systemsScatterSpec,
  type SystemMetricPoint,
} from '../dashboards/site/vega.ts';

const OUTPUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'output');
const UPDATE = process.env.GOVMON_UPDATE_SNAPSHOTS === '1';

/** Plot's normalisation: numbers to two decimals; ids renumbered in order of appearance. */
function normaliseSvg(svg: string): string {
  const ids = new Map<string, string>();
  return compactNumbers(svg)
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.set(id, ids.get(id) ?? `id${ids.size}`).get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${ids.get(id) ?? id})`)
    .replace(/></g, '>\n<');
}

function normaliseSpec(spec: unknown): string {
  return JSON.stringify(spec, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v), 2) + '\n';
}

/** Compare with the snapshot; see the header for what happens when it differs or is missing. */
function snapshot(name: string, ext: 'svg' | 'vl.json', actual: string): void {
  fs.mkdirSync(OUTPUT, { recursive: true });
  const file = path.join(OUTPUT, `${name}.${ext}`);
  const changed = path.join(OUTPUT, `${name}-changed.${ext}`);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, actual);
    throw new Error(
      `新快照已写入 ${path.relative(process.cwd(), file)}：请检查后提交，再运行测试 / new snapshot written, check it and commit it`,
    );
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected === actual) {
    fs.rmSync(changed, { force: true });
    return;
  }
  if (UPDATE) {
    fs.writeFileSync(file, actual);
    fs.rmSync(changed, { force: true });
    return;
  }
  fs.writeFileSync(changed, actual);
  expect.fail(`${name}.${ext} 与快照不同，见 ${path.relative(process.cwd(), changed)}（确认无误后用 GOVMON_UPDATE_SNAPSHOTS=1 更新）`);
}

const MONTHS = [
  '2025-11',
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
];
const DAYS = [30, 31, 31, 28, 31, 30, 31, 31, 30, 31, 30, 31];
const PROFILE = loadProfile('default').profile;
const THRESHOLDS = thresholdsOf(PROFILE);

/** A system that goes quiet in August: CPU falls, users and requests stop, one vulnerability. */
const SERIES: Record<string, (i: number) => number | null> = {
  days_reported: (i) => (i === 10 ? 12 : i === 3 ? null : DAYS[i]),
  cpu_avg_pct: (i) => (i < 6 ? 22 + i : 3.2),
  cpu_p95_pct: (i) => (i < 6 ? 55.5 + i * 2 : 8.75),
  mem_avg_pct: () => 41.25,
  storage_used_gb: (i) => 40 + i * 3.333,
  storage_util_pct: (i) => 40 + i * 3.333,
  dau_avg: (i) => (i < 9 ? 18.4 : 0),
  dau_max: (i) => (i < 9 ? 35 : 0),
  requests_total: (i) => (i < 9 ? 3100 + 17 * i : 0),
  availability_pct: (i) => (i === 7 ? 85.5 : 99.61),
  open_high_vulns: (i) => (i >= 10 ? 1 : 0),
};
const FLAGGED: Record<string, (i: number) => boolean> = {
  days_reported: (i) => i === 10,
  cpu_avg_pct: (i) => i >= 6,
  cpu_p95_pct: (i) => i >= 6,
  dau_max: (i) => i >= 9,
  requests_total: (i) => i >= 9,
  availability_pct: (i) => i === 7,
  open_high_vulns: (i) => i >= 10,
};

function valuesOf(metric: string): MonthValue[] {
  return MONTHS.map((month, i) => ({ month, value: SERIES[metric](i), days_in_month: DAYS[i], flagged: FLAGGED[metric]?.(i) ?? false }));
}

const charts: Record<string, () => string> = {
  ...Object.fromEntries(
    MONTHLY_METRICS.map((def) => [
      `metric-${def.name}`,
      () =>
        metricChart(
          def,
          MONTHS,
          valuesOf(def.name),
          THRESHOLDS.filter((t) => t.metric === def.name),
          def.name === 'storage_used_gb' ? [{ value: 100, tag: '已分配' }] : [],
        ),
    ]),
  ),
  'metric-cpu_p95_pct-short-history': () =>
    metricChart(
      metricDef('cpu_p95_pct'),
      MONTHS,
      valuesOf('cpu_p95_pct').slice(8),
      THRESHOLDS.filter((t) => t.metric === 'cpu_p95_pct'),
    ),
  'sharing-completeness': () =>
    sharingChart(
      MONTHS,
      MONTHS.map((month, i) => ({ month, value: i < 4 ? null : 100 - i * 4.5, flagged: 100 - i * 4.5 < 80 })),
      PROFILE.sharing.min_pct,
    ),
  'department-conditions': () =>
    conditionBars(MONTHS, [
      { month: '2026-08', condition: 'inactive', systems: 2 },
      { month: '2026-09', condition: 'inactive', systems: 2 },
      { month: '2026-09', condition: 'security', systems: 1 },
      { month: '2026-10', condition: 'inactive', systems: 3 },
      { month: '2026-10', condition: 'low_util', systems: 1 },
      { month: '2026-10', condition: 'no_data', systems: 1 },
    ]),
  'score-histogram': () => scoreHistogram([34.2, 51, 58.9, 61.5, 66, 72.25, 79.9, 80, 84.4, 88, 90, 93.5, 100], PROFILE.scoring.grades),
};

describe('Plot charts (server-side SVG)', () => {
  afterAll(() => usePlotDocument('mini'));
  for (const [name, draw] of Object.entries(charts)) {
    it(`${name} matches tests/output/${name}.svg`, () => {
      usePlotDocument('mini');
      snapshot(name, 'svg', normaliseSvg(draw()));
    });
  }

  it('draws the same SVG with the small DOM as with linkedom', () => {
    usePlotDocument('linkedom');
    const reference = Object.values(charts).map((f) => f());
    usePlotDocument('mini');
    const mini = Object.values(charts).map((f) => f());
    expect(mini).toEqual(reference);
  });

  it('carries no text from input and no script', () => {
    usePlotDocument('mini');
    for (const f of Object.values(charts)) expect(f()).not.toMatch(/<script|<foreignObject|on\w+=/i);
  });

  it('writes each threshold line’s tag in the right margin, right of every data point, so no tag covers the data', () => {
    usePlotDocument('mini');
    for (const [name, f] of Object.entries(charts).filter(([n]) => n.startsWith('metric-') || n.startsWith('sharing-'))) {
      const svg = f();
      // a text mark's left edge: its group's translate plus the text's own, the text running
      // rightwards from there (anchored at its start)
      const tags = [...svg.matchAll(/<g ([^>]*)aria-label="text">\s*<text transform="translate\(([\d.]+),/g)].map((m) => {
        expect(m[1], name).toContain('text-anchor="start"');
        return Number(/translate\(([\d.]+),0\)/.exec(m[1])?.[1] ?? 0) + Number(m[2]);
      });
      const dots = [...svg.matchAll(/<circle[^>]* r="([\d.]+)"[^>]* cx="([\d.]+)"/g)].map((m) => Number(m[2]) + Number(m[1]));
      const lines = [...svg.matchAll(/aria-label="line"[\s\S]*?<path[^>]* d="([^"]+)"/g)].flatMap((m) =>
        [...m[1].matchAll(/[ML]([\d.]+),/g)].map((x) => Number(x[1])),
      );
      const hasThreshold =
        THRESHOLDS.some((t) => name === `metric-${t.metric}` || name.startsWith(`metric-${t.metric}-`)) || name.startsWith('sharing-');
      if (hasThreshold) expect(tags.length, name).toBeGreaterThan(0);
      for (const x of tags) expect(x, name).toBeGreaterThan(Math.max(...dots, ...lines));
    }
  });

  it('integerTicks(max) gives whole numbers from 0 past max', () => {
    expect(integerTicks(0)).toEqual([0, 1]);
    expect(integerTicks(3)).toEqual([0, 1, 2, 3]);
    expect(integerTicks(13)).toEqual([0, 5, 10, 15]);
  });
});

const POINTS = MONTHS.map((month, i) => ({
  month,
  rectification: [0, 0, 1, 2, 2, 1, 0, 0, 0, 3, 4, 4][i],
  elimination: i === 5 ? null : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2][i],
  exempted: i === 5 ? null : i === 11 ? 1 : 0,
  reclaim_vcpu: i === 5 ? null : 4 + i,
  reclaim_cost_annual: i === 5 ? null : 12000 + i * 1000.5,
  reclaimed_vcpu: i === 5 ? null : i === 9 ? 14 : i === 11 ? 8 : 0,
  reclaimed_cost_annual: i === 5 ? null : i === 9 ? 87500 : i === 11 ? 24000 : 0,
}));

const specs: Record<string, () => unknown> = {
  'vl-condition-trend': () => conditionTrendSpec(MONTHS),
  'vl-list-trend': () => listTrendSpec(POINTS),
  'vl-reclaim-trend': () => reclaimTrendSpec(POINTS),
  'vl-systems-scatter': () => systemsScatterSpec('2026-10'),
  'vl-system-metrics': () =>
    systemMetricsSpec(
      MONTHS,
      MONTHS.map(
        (month, i) =>
          ({
            month,
            days_in_month: DAYS[i],
            ...Object.fromEntries(Object.keys(SERIES).map((k) => [k, SERIES[k](i)])),
          }) as SystemMetricPoint,
      ),
      THRESHOLDS,
    ),
  'vl-sharing-trend': () =>
    sharingTrendSpec(
      MONTHS.map((month, i) => ({ month, completeness_pct: i < 2 ? null : 90 - i, failures: i })),
      PROFILE.sharing.min_pct,
    ),
};

describe('Vega-Lite specs (interactive charts)', () => {
  for (const [name, build] of Object.entries(specs)) {
    it(`${name} matches tests/output/${name}.vl.json`, () => {
      snapshot(name, 'vl.json', normaliseSpec(build()));
    });
  }

  it('compiles every spec with vega-lite without warnings and names no URL', async () => {
    const vl = await import('vega-lite');
    for (const [name, build] of Object.entries(specs)) {
      const spec = build() as Record<string, unknown>;
      const warnings: string[] = [];
      const logger = {
        level: () => logger,
        warn: (...a: unknown[]) => void warnings.push(a.join(' ')),
        info: () => logger,
        debug: () => logger,
        error: (...a: unknown[]) => {
          throw new Error(a.join(' '));
        },
      };
      // datasets the page fills from Arrow: an empty table compiles the same
      const withData = { ...spec, datasets: { metrics: [] } };
      vl.compile(withData as never, { logger: logger as never });
      expect(warnings, name).toEqual([]);
      expect(JSON.stringify(spec), name).not.toMatch(/https?:\/\//);
    }
  });
});
