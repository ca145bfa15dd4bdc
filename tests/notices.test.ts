// The documents of a month (docs/outputs.md §7.4), read by an independent reader: mammoth for the
// text a person reads, unzip for the WordprocessingML itself. A 限期整改通知书 per department
// addressed to it, naming each of its systems with its conditions, figures, deadline and the
// articles quoted verbatim; a 整改到期提醒 only where a deadline falls within 15 days; the
// 淘汰退出清单（报批稿） with its exempted systems and signature lines; A4 and the GB/T 9704 margins
// in the section properties; values as text, the page number the only field; the same bytes twice.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMonthDocuments, type NoticeFile } from '../dashboards/documents/notices.ts';
import { openTestStore } from './helpers.ts';
import { DOWN, IDLE, VULN, buildCity, months, runMonths, system } from './fixtures/monthly/city.ts';

const MONTH = '2026-10';
const DATE = '2026-11-20';
// 市民政局: D1 down in October (issued; unusable 1 reaches 3 in December → 2026-12-31), D2 idle
// September–October (open; inactive 2 reaches 3 in November → 2026-11-30, within 15 days of 11-20),
// X idle August–October (eliminated), E the same but exempt. 市教育局: T1 with a vulnerability in October.
const MZ = '市民政局';
const JY = '市教育局';

let s: Awaited<ReturnType<typeof openTestStore>>;
let files: NoticeFile[];
let again: NoticeFile[];

const xml = (file: string, part = 'word/document.xml') => execFileSync('unzip', ['-p', file, part]).toString('utf8');
const text = async (file: string) => (await mammoth.extractRawText({ path: file })).value;
const fileOf = (kind: NoticeFile['kind'], dept: string | null, list = files) =>
  list.find((f) => f.kind === kind && f.department === dept)!.file;

beforeAll(async () => {
  s = await openTestStore();
  const all = ['2026-07', '2026-08', '2026-09', '2026-10'];
  await buildCity(
    s.store,
    s,
    [
      system('D1', { system_name: '殡葬管理信息系统', department: MZ }),
      system('D2', { system_name: '社会救助<审批>系统', department: MZ }),
      system('X', { system_name: '旧版婚姻登记系统', department: MZ, vcpu: 8, memory_gb: 16, storage_gb: 200, cloud_cost_annual: 20000 }),
      system('E', { system_name: '养老服务补贴系统', department: MZ, exempt_until: '2026-12-31', exempt_reason: '并入省级平台过渡期' }),
      system('T1', { system_name: '学籍管理系统', department: JY }),
    ],
    [
      ...months('D1', all.slice(0, 3)),
      ...months('D1', ['2026-10'], DOWN),
      ...months('D2', all.slice(0, 2)),
      ...months('D2', all.slice(2), IDLE),
      ...months('X', all.slice(0, 1)),
      ...months('X', all.slice(1), IDLE),
      ...months('E', all.slice(0, 1)),
      ...months('E', all.slice(1), IDLE),
      ...months('T1', all.slice(0, 3)),
      ...months('T1', ['2026-10'], VULN),
    ],
  );
  await runMonths(s.store, [MONTH]);
  const write = (dir: string) =>
    writeMonthDocuments(s.store, { month: MONTH, outDir: path.join(s.dir, dir), date: DATE, issuer: '云川市数据局' });
  files = await write('a');
  again = await write('b');
}, 120_000);

afterAll(() => {
  s?.store.close();
  if (s) fs.rmSync(s.dir, { recursive: true, force: true });
});

describe('writeMonthDocuments(store, { month, outDir, date })', () => {
  it('writes a notice per department with systems on the list, a reminder where a deadline is within 15 days, and the list for approval', () => {
    // departments in the order of their Chinese names (jiào before mín)
    expect(files.map((f) => [f.kind, f.department, path.basename(f.file), f.systems])).toEqual([
      ['notice', JY, `限期整改通知书-${JY}.docx`, ['T1']],
      ['notice', MZ, `限期整改通知书-${MZ}.docx`, ['D2', 'D1']],
      ['reminder', MZ, `整改到期提醒-${MZ}.docx`, ['D2']],
      ['elimination', null, '淘汰退出清单（报批稿）-2026-10.docx', ['X', 'E']],
    ]);
  });

  it('addresses the notice to the department and names each of its systems with conditions, figures, deadline and status', async () => {
    const t = await text(fileOf('notice', MZ));
    expect(t).toContain('〔2026〕　　号');
    expect(t).toContain('关于限期整改政务信息系统运行问题的通知');
    expect(t).toMatch(new RegExp(`^${MZ}：$`, 'm'));
    expect(t).toContain('（一）社会救助<审批>系统（系统编号 D2）');
    expect(t).toContain('1. 存在问题：无业务访问（闲置），已连续 2 个月（已达到限期整改月数）。');
    expect(t).toContain(
      '2026年9月：报送天数 30 天，最高日活跃用户 0 人，月访问量 0 次；2026年10月：报送天数 31 天，最高日活跃用户 0 人，月访问量 0 次',
    );
    expect(t).toContain('3. 整改期限：2026年11月30日前。');
    expect(t).toContain('4. 通知状态：整改中（2026年9月首次下发，已持续 2 个月）。');
    expect(t).toContain('（二）殡葬管理信息系统（系统编号 D1）');
    expect(t).toContain('2026年10月：报送天数 31 天，可用率 80.00%');
    expect(t).toContain('3. 整改期限：2026年12月31日前。');
    expect(t).toContain('云川市数据局');
    expect(t).toContain('2026年11月20日');
    expect(t).not.toContain('T1');
    const jy = await text(fileOf('notice', JY));
    expect(jy).toMatch(new RegExp(`^${JY}：$`, 'm'));
    expect(jy).toContain('学籍管理系统（系统编号 T1）');
    expect(jy).toContain('严重安全隐患，已连续 1 个月');
    expect(jy).not.toContain('D1');
  });

  it('quotes the articles verbatim from the profile: the rectification rule and each condition’s', async () => {
    const t = await text(fileOf('notice', MZ));
    expect(t).toContain('《宿迁市市级信息化项目管理办法》第三十六条：“项目申报单位应会同实施单位限期整改”');
    expect(t).toContain(
      '《宿迁市市级信息化项目管理办法》第六条：“对云资源使用率低、长期闲置、无法正常使用、存在严重安全隐患等运行不正常的系统实行淘汰退出机制”',
    );
    // every quote is a passage of the measure's own text
    const measure = fs.readFileSync(new URL('../../shared/seeds/001_b27b0eb786c0566d.txt', import.meta.url), 'utf8').replace(/\s/g, '');
    for (const q of t.matchAll(/《宿迁市市级信息化项目管理办法》第.+?条：“(.+?)”/g)) expect(measure).toContain(q[1].replace(/\s/g, ''));
  });

  it('reminds 市民政局 of D2 only, 10 days before its deadline', async () => {
    const t = await text(fileOf('reminder', MZ));
    expect(t).toContain('关于限期整改即将到期的提醒');
    expect(t).toContain(
      '社会救助<审批>系统（系统编号 D2）：无业务访问（闲置），已连续 2 个月（已达到限期整改月数）；整改期限 2026年11月30日，还有 10 天。',
    );
    expect(t).not.toContain('D1');
  });

  it('lists the systems to shut down, the exempted ones and the signature lines in the draft for approval', async () => {
    const t = await text(fileOf('elimination', null));
    expect(t).toContain('2026年10月政务信息系统淘汰退出（关停）清单（报批稿）');
    expect(t).toContain('旧版婚姻登记系统（X）');
    expect(t).toContain('无业务访问（闲置）（2026-08 起连续 3 个月）');
    expect(t).toContain('vCPU 8 个，内存 16.0 GB，存储 200.0 GB');
    expect(t).toContain('20,000.00');
    expect(t).toContain('养老服务补贴系统（E）');
    expect(t).toContain('并入省级平台过渡期（系统目录）');
    for (const role of ['经办人', '审核人', '批准人']) expect(t).toContain(`${role}（签字）`);
  });

  it('lays the pages out per GB/T 9704: A4, margins 37/35/28/26 mm, 22 lines of 28 characters, the fonts and sizes', () => {
    for (const f of files) {
      const doc = xml(f.file);
      const sect = /<w:sectPr>.*<\/w:sectPr>/.exec(doc)![0];
      expect(sect, f.file).toContain('<w:pgSz w:w="11906" w:h="16838"');
      expect(sect).toContain('<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"');
      // 225 mm ÷ 22 lines = 579 twips a line (the body's exact line spacing, below)
      expect(sect).toContain('<w:docGrid w:type="default" w:linePitch="579"/>');
    }
    const doc = xml(fileOf('notice', MZ));
    // the title in 小标宋 2号 (22 pt = 44 half-points), the body in 仿宋_GB2312 3号 (32)
    expect(doc).toMatch(/w:eastAsia="方正小标宋简体"[^>]*\/>(<[^>]+>)*<w:sz w:val="44"\/>/);
    expect(doc).toMatch(/w:eastAsia="仿宋_GB2312"[^>]*\/>(<[^>]+>)*<w:sz w:val="32"\/>/);
    // 3号 is 16 pt; 156 mm ÷ 28 characters is 15.79 pt: the body runs are 5 twips tighter
    expect(doc).toMatch(/<w:spacing w:val="-5"\/>/);
    // exact line spacing of 225 mm ÷ 22 lines
    expect(doc).toContain('<w:spacing w:line="579" w:lineRule="exact"/>');
    expect(xml(fileOf('notice', MZ), 'word/fontTable.xml')).toContain('<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>');
  });

  it('writes values as text: no field in the body, and only the page number — 4号, between dashes — in the footers', () => {
    for (const f of files) expect(xml(f.file), f.file).not.toMatch(/w:fldSimple|w:instrText|w:fldChar/);
    const footers = ['word/footer1.xml', 'word/footer2.xml'].map((p) => xml(fileOf('notice', MZ), p));
    for (const f of footers) {
      expect(f).toMatch(/<w:instrText[^>]*>PAGE<\/w:instrText>/);
      expect(f).toContain('<w:sz w:val="28"/>');
      expect(f).toContain('>— </w:t>');
      expect(f).toContain('> —</w:t>');
    }
    // odd pages right, even pages left
    expect(footers.map((f) => /<w:jc w:val="(\w+)"\/>/.exec(f)![1]).sort()).toEqual(['left', 'right']);
  });

  it('writes the same bytes for the same month and date', () => {
    for (const f of files) {
      const twin = again.find((g) => path.basename(g.file) === path.basename(f.file))!;
      expect(fs.readFileSync(f.file).equals(fs.readFileSync(twin.file)), path.basename(f.file)).toBe(true);
    }
  });
});
