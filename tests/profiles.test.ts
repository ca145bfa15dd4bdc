// Policy profiles (docs/profiles.md §6): every shipped profile and the example load; every citation is a
// verbatim passage of its own city's measure, inside the article it names; bureau practice is
// labelled as such; a user profile overrides only what it names; bad fields are rejected with
// their dotted path; the content hash follows the content; the listing shows rules and quotes.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  deepMerge,
  loadProfile,
  loadShippedProfiles,
  PROFILE_DIR,
  profileHash,
  shippedProfiles,
  type LoadedProfile,
} from '../pipelines/profiles.ts';
import { rulesOf, validateProfile, type Profile } from '../metrics/profiles/schema.ts';
import { MEASURES } from '../metrics/profiles/measures.ts';
import { formatProfile, formatProfileList } from '../metrics/profiles/show.ts';
import { PRACTICE_LABEL } from '../metrics/labels.ts';
import { buildProgram } from '../apps/cli/program.ts';
import { UserError } from '../core/errors.ts';
import { tempDir, writeFile } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = path.resolve(ROOT, '../shared/seeds');
const EXAMPLE = path.join(PROFILE_DIR, 'examples', 'strict-suqian.json');

const CITIES: Record<string, string> = {
  ningbo: '000_16c3551a555037f5.txt',
  suqian: '001_b27b0eb786c0566d.txt',
  dashiqiao: '002_1c9830a0543bb14e.txt',
  shaoxing: '003_886887453bded005.txt',
  nanchong: '004_7be093fbc51395b8.txt',
};

const seedCache = new Map<string, string[]>();
function seedLines(file: string): string[] {
  let lines = seedCache.get(file);
  if (!lines) {
    lines = fs.readFileSync(path.join(SEEDS, file), 'utf8').split(/\r?\n/);
    seedCache.set(file, lines);
  }
  return lines;
}

const NUM = '[一二三四五六七八九十百零]+';
/** A line without its Markdown/Word decoration: **第六条**, [bookmark: …]第六条, 　　第十六条. */
const bare = (line: string) =>
  line
    .replace(/^[\s\u3000#*]+/, '')
    .replace(/^\[bookmark:[^\]]*\]/, '')
    .replace(/^[\s\u3000*]+/, '')
    .replace(/^\(/, '（')
    .replace(/^（([一二三四五六七八九十]+)\)/, '（$1）');

/**
 * The lines of the article a citation names: 第X条 (up to the next 第Y条), or for the Ningbo
 * measure（十九）(up to the next numbered paragraph); 第六条（四） also requires the quote's line
 * to be item （四） of that article.
 */
function articleLines(file: string, article: string): { lines: string[]; item?: string } {
  const all = seedLines(file).map(bare);
  const m = new RegExp(`^(第${NUM}条)((?:第)?（${NUM}）(?:项)?)?$`).exec(article);
  const para = new RegExp(`^（${NUM}）$`).exec(article);
  if (!m && !para) throw new Error(`unrecognised article label ${article}`);
  const head = m ? m[1] : article;
  const isHead = m ? (l: string) => new RegExp(`^第${NUM}条`).test(l) : (l: string) => new RegExp(`^（${NUM}）`).test(l);
  const start = all.findIndex((l) => l.startsWith(head));
  if (start < 0) return { lines: [] };
  let end = start + 1;
  while (end < all.length && !isHead(all[end])) end++;
  const item = m?.[2]?.replace(/^第/, '').replace(/项$/, '');
  return { lines: all.slice(start, end), item };
}

function allProfiles(): { label: string; lp: LoadedProfile }[] {
  return [
    ...shippedProfiles().map((n) => ({ label: n, lp: loadProfile(n) })),
    { label: 'examples/strict-suqian', lp: loadProfile(EXAMPLE) },
  ];
}

function rawProfile(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(PROFILE_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

function at(o: unknown, p: string): unknown {
  return p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function userProfile(content: unknown): string {
  const dir = tempDir('govmon-profile-');
  tempDirs.push(dir);
  return writeFile(dir, 'mine.json', JSON.stringify(content));
}

function loadError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('loadProfile(name)', () => {
  it('ships the default and the five city profiles', () => {
    expect(shippedProfiles()).toEqual(['default', 'dashiqiao', 'nanchong', 'ningbo', 'shaoxing', 'suqian']);
  });

  it.each(Object.keys(CITIES))('loads and validates %s, extending default and naming its measure', (name) => {
    const { profile } = loadProfile(name);
    expect(profile.name).toBe(name);
    expect(profile.extends).toBe('default');
    expect(profile.measure?.file).toBe(CITIES[name]);
    const m = MEASURES.find((x) => x.file === CITIES[name])!;
    expect(profile.measure?.title).toBe(m.title);
    expect(profile.measure?.doc_no).toBe(m.docNo);
    expect(validateProfile(profile).issues).toEqual([]);
  });

  it('loads the example user profile from its path', () => {
    const { profile } = loadProfile(EXAMPLE);
    expect(profile.name).toBe('strict-suqian');
    expect(profile.extends).toBe('suqian');
  });

  it('sets the parameters each measure states', () => {
    const ca = (n: string) => loadProfile(n).profile.calendar.completion_acceptance;
    const se = (n: string) => loadProfile(n).profile.calendar.self_evaluation;
    // 宿迁 第二十九条: 90 days for software, at most one year
    expect(ca('suqian')).toMatchObject({ min_days: 90, max_days: 365 });
    // 宁波（十七）: at least 6 months, no upper bound
    expect(ca('ningbo')).toMatchObject({ min_days: 183, max_days: null });
    // 南充 第二十九条: 3 months of trial operation
    expect(ca('nanchong')).toMatchObject({ min_days: 91, max_days: null });
    // 大石桥 第十七条: 3 to 6 months
    expect(ca('dashiqiao')).toMatchObject({ min_days: 91, max_days: 183 });
    // 绍兴: no trial-operation window
    expect(ca('shaoxing')).toBeNull();
    // 宁波（十九）: within 12 months after completion acceptance
    expect(se('ningbo')).toMatchObject({ anchor: 'final_acceptance', from_months: 0, to_months: 12 });
    // 南充 第四十四条, 大石桥 第十九条: 12 to 24 months
    expect(se('nanchong')).toMatchObject({ anchor: 'operation_start', from_months: 12, to_months: 24 });
    expect(se('dashiqiao')).toMatchObject({ anchor: 'final_acceptance', from_months: 12, to_months: 24 });
    // 绍兴 第三十条: 10 working days after initial acceptance
    expect(loadProfile('shaoxing').profile.catalog_deadline).toMatchObject({ basis: 'measure', working_days: 10 });
    // 绍兴 第十八条: low utilisation is right-sized, not shut down
    expect(loadProfile('shaoxing').profile.monitoring.low_util.eliminate_months).toBeNull();
    // 大石桥 第十八条: 3 months to rectify
    const d = loadProfile('dashiqiao').profile.monitoring;
    for (const c of ['inactive', 'low_util', 'unusable', 'security'] as const) expect(d[c].eliminate_months! - d[c].warn_months).toBe(3);
  });

  it('keeps the default thresholds the measures never state', () => {
    const def = loadProfile('default').profile;
    for (const name of Object.keys(CITIES)) {
      const p = loadProfile(name).profile;
      expect(p.monitoring.inactive).toMatchObject({
        dau_max: def.monitoring.inactive.dau_max,
        requests_max: def.monitoring.inactive.requests_max,
      });
      expect(p.monitoring.low_util).toMatchObject({
        cpu_avg_max: def.monitoring.low_util.cpu_avg_max,
        cpu_p95_max: def.monitoring.low_util.cpu_p95_max,
      });
      expect(p.monitoring.unusable.availability_max).toBe(def.monitoring.unusable.availability_max);
      expect(p.scoring.grades).toEqual(def.scoring.grades);
    }
  });
});

describe('citations of the shipped profiles', () => {
  const cases = allProfiles().flatMap(({ label, lp }) =>
    rulesOf(lp.profile).flatMap(({ path: rule, rule: r }) => r.citations.map((c, i) => ({ label, rule, i, c }))),
  );

  it('has citations to check', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases)('$label $rule[$i] $c.article: the quote is verbatim on one line of the seed, inside that article', ({ c }) => {
    expect(c.quote).not.toMatch(/[\r\n]/);
    const lines = seedLines(c.file);
    expect(
      lines.some((l) => l.includes(c.quote)),
      `“${c.quote}” not found on a line of ${c.file}`,
    ).toBe(true);
    const { lines: art, item } = articleLines(c.file, c.article);
    expect(art.length, `${c.article} not found in ${c.file}`).toBeGreaterThan(0);
    const hit = art.find((l) => l.includes(c.quote));
    expect(hit, `“${c.quote}” is not in ${c.article} of ${c.file}`).toBeDefined();
    if (item) expect(hit!.startsWith(item), `“${c.quote}” is not in item ${item} of ${c.article}`).toBe(true);
  });

  it.each(Object.entries(CITIES))('%s cites only its own measure (%s)', (name, file) => {
    const files = new Set(rulesOf(loadProfile(name).profile).flatMap(({ rule }) => rule.citations.map((c) => c.file)));
    expect([...files]).toEqual([file]);
  });

  it('the example user profile inherits only Suqian citations', () => {
    const files = new Set(rulesOf(loadProfile(EXAMPLE).profile).flatMap(({ rule }) => rule.citations.map((c) => c.file)));
    expect([...files]).toEqual([CITIES.suqian]);
  });

  it.each(Object.keys(CITIES))('%s sets basis and citations on every rule itself, inheriting no other city’s citations', (name) => {
    const raw = rawProfile(name);
    for (const { path: rule } of rulesOf(loadProfile('default').profile)) {
      const own = at(raw, rule);
      // null: the rule does not apply in that city (a calendar window the measure lacks, no cost sharing)
      if (own === null && (rule.startsWith('calendar.') || rule === 'cost_sharing')) continue;
      expect(own, `${name}.${rule} is not set`).toBeTypeOf('object');
      expect(own, `${name}.${rule}`).toHaveProperty('basis');
      expect(own, `${name}.${rule}`).toHaveProperty('citations');
    }
  });

  it.each(allProfiles().map((x) => [x.label, x.lp] as const))('%s: practice rules have no citations and a note saying so', (_label, lp) => {
    for (const { path: rule, rule: r } of rulesOf(lp.profile)) {
      if (r.basis === 'practice') {
        expect(r.citations, rule).toEqual([]);
        expect(r.note, rule).toMatch(/数据局工作口径/);
      } else expect(r.citations.length, rule).toBeGreaterThan(0);
    }
  });

  it('marks what the measures are silent on as practice', () => {
    const basis = (n: string, p: string) => (at(loadProfile(n).profile, p) as { basis: string }).basis;
    expect(basis('ningbo', 'monitoring.inactive')).toBe('practice');
    expect(basis('ningbo', 'elimination')).toBe('practice');
    expect(basis('ningbo', 'sharing')).toBe('practice');
    expect(basis('suqian', 'catalog_deadline')).toBe('practice');
    expect(basis('dashiqiao', 'rightsizing')).toBe('practice');
    expect(basis('shaoxing', 'rightsizing')).toBe('measure');
    expect(basis('nanchong', 'budget.withhold_sharing')).toBe('measure');
  });
});

describe('a user profile that extends a shipped one', () => {
  it('takes its overrides and keeps everything else of suqian', () => {
    const base = loadProfile('suqian').profile;
    const mine = loadProfile(EXAMPLE).profile;
    expect(mine.monitoring.inactive.requests_max).toBe(100);
    expect(mine.monitoring.low_util.warn_months).toBe(2);
    expect(mine.monitoring.inactive.citations).toEqual(base.monitoring.inactive.citations);
    expect(mine.monitoring.inactive.dau_max).toBe(base.monitoring.inactive.dau_max);
    expect(mine.budget).toEqual(base.budget);
    expect(mine.calendar).toEqual(base.calendar);
  });

  it('applies an override written in a temporary file', () => {
    const file = userProfile({ name: 'mine', title: '我的配置', extends: 'suqian', monitoring: { unusable: { availability_max: 95 } } });
    const p = loadProfile(file).profile;
    expect(p.monitoring.unusable.availability_max).toBe(95);
    expect(p.monitoring.unusable.basis).toBe('measure');
    expect(p.extends).toBe('suqian');
  });
});

describe('validateProfile(raw)', () => {
  const bad = (over: unknown) =>
    loadError(() => loadProfile(userProfile(deepMerge({ name: 'mine', title: '我的配置', extends: 'suqian' }, over))));

  it('rejects monitoring.inactive.warn_months 0 with its dotted path', () => {
    expect(bad({ monitoring: { inactive: { warn_months: 0 } } }).message).toMatch(/monitoring\.inactive\.warn_months：/);
  });

  it('rejects an unknown key with its dotted path', () => {
    const e = bad({ monitoring: { low_util: { cpu_max: 3 } } });
    expect(e.message).toMatch(/monitoring\.low_util/);
    expect(e.message).toMatch(/cpu_max/);
  });

  it('rejects eliminate_months below warn_months with its dotted path', () => {
    expect(bad({ monitoring: { unusable: { warn_months: 4, eliminate_months: 2 } } }).message).toMatch(
      /monitoring\.unusable\.eliminate_months：淘汰月数不能小于预警月数/,
    );
  });

  it('rejects a practice rule that keeps citations, and a measure rule without any, with their dotted paths', () => {
    const e = bad({ rightsizing: { basis: 'measure' }, elimination: { basis: 'practice', note: '按数据局工作口径' } });
    expect(e.message).toMatch(/rightsizing\.citations：/);
    expect(e.message).toMatch(/elimination\.citations：/);
  });

  it('rejects a quote that is too short with its dotted path', () => {
    const e = bad({ inflation: { citations: [{ file: CITIES.suqian, article: '第三十六条', quote: '抽查' }] } });
    expect(e.message).toMatch(/inflation\.citations\.0\.quote：/);
  });

  it('lists every problem at once', () => {
    const e = bad({ monitoring: { inactive: { warn_months: 0 }, security: { warn_months: 'x' } } });
    expect(e.message).toMatch(/有 2 处错误/);
  });
});

describe('profileHash(profile)', () => {
  it('is stable for the same content and changes when one parameter changes', () => {
    const a = loadProfile('suqian');
    expect(loadProfile('suqian').sha256).toBe(a.sha256);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    const reordered = JSON.parse(JSON.stringify(a.profile, Object.keys(a.profile).reverse())) as Profile;
    expect(profileHash({ ...reordered, ...a.profile })).toBe(a.sha256);
    const changed = structuredClone(a.profile);
    changed.monitoring.inactive.requests_max = 301;
    expect(profileHash(changed)).not.toBe(a.sha256);
    expect(loadProfile(EXAMPLE).sha256).not.toBe(a.sha256);
  });

  it('differs between every shipped profile', () => {
    const hashes = shippedProfiles().map((n) => loadProfile(n).sha256);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('formatProfile(loadProfile(name))', () => {
  it('shows the Suqian 第六条 quote with its article', () => {
    const text = formatProfile(loadProfile('suqian'));
    expect(text).toContain('《宿迁办法》第六条：“市大数据中心通过信息化手段对已建成运行的项目通过统一管理平台每月进行监测”');
    expect(text).toContain('强制收回云资源，关停相关系统');
  });

  it('names every rule in Chinese, with its parameters, the hash and what it extends', () => {
    const lp = loadProfile('suqian');
    const text = formatProfile(lp);
    for (const name of [
      '监测数据缺失',
      '无业务访问（闲置）',
      '云资源使用率低',
      '无法正常使用',
      '严重安全隐患',
      '限期整改',
      '淘汰退出',
      '云资源减配',
      '数据共享',
      '编目时限',
      '绩效评分',
      '自评偏高抽查',
      '经费建议',
      '核减',
      '年度运维报表',
      '竣工验收时间窗',
    ])
      expect(text).toContain(name);
    expect(text).toContain(lp.sha256.slice(0, 12));
    expect(text).toContain('继承：default');
    expect(text).toContain('当月访问量不超过：300 次');
    expect(text).toContain('上线试运行后最迟：365 天');
    expect(text).toContain('宿政办发〔2024〕45号');
    for (const { path: rule } of rulesOf(lp.profile)) expect(text).toContain(`[${rule}]`);
  });

  it('marks practice rules and shows their note', () => {
    const p = loadProfile('ningbo');
    const text = formatProfile(p);
    expect(text).toContain(PRACTICE_LABEL);
    expect(text).toContain(p.profile.elimination.note!);
    expect(text).toContain('（十九）：“项目建设单位需在项目竣工验收后12个月内提交绩效自评报告”');
    expect(text).toContain('上线试运行后最迟：办法未规定上限');
  });

  it('shows a user profile’s own value and its parent', () => {
    const text = formatProfile(loadProfile(EXAMPLE));
    expect(text).toContain('继承：suqian');
    expect(text).toContain('当月访问量不超过：100 次');
    expect(text).toContain('预警连续月数（达到即发限期整改通知）：2 个月');
  });
});

describe('formatProfileList()', () => {
  it('lists every shipped profile with its title and measure', () => {
    const text = formatProfileList(loadShippedProfiles());
    for (const name of shippedProfiles()) {
      const p = loadProfile(name).profile;
      expect(text).toContain(`${name} — ${p.title}`);
      if (p.measure) expect(text).toContain(`《${p.measure.title}》`);
    }
    expect(text).toContain('甬政办发〔2025〕43号');
    expect(text).toContain('南府办发〔2023〕14号');
  });
});

describe('govmon profile list|show', () => {
  let out = '';
  afterEach(() => vi.restoreAllMocks());

  async function govmon(...args: string[]): Promise<string> {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    const program = buildProgram();
    await program.parseAsync(['node', 'govmon', ...args]);
    vi.restoreAllMocks();
    return out;
  }

  it('lists the shipped profiles', async () => {
    expect(await govmon('profile', 'list')).toContain('nanchong — ');
  });

  it('shows a profile by name, by --profile, and by path', async () => {
    expect(await govmon('profile', 'show', 'shaoxing')).toContain('《绍兴办法》第三十条');
    expect(await govmon('--profile', 'nanchong', 'profile', 'show')).toContain('政策配置：nanchong');
    expect(await govmon('profile', 'show', EXAMPLE)).toContain('政策配置：strict-suqian');
  });

  it('fails with a Chinese message for an unknown profile', async () => {
    await expect(govmon('profile', 'show', 'hangzhou')).rejects.toThrow(/找不到政策配置 hangzhou/);
  });
});
