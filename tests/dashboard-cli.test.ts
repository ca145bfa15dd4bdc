// `govmon dashboard --month YYYY-MM --out DIR` through commander with the CLI's own withStore:
// builds the site of a run month, says where it is, and turns a month without a run into one
// Chinese line (a UserError), not a stack trace.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../apps/cli/program.ts';
import { isUserError } from '../core/errors.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { NOW, openTestStore } from './helpers.ts';
import { IDLE, buildCity, months, system } from './fixtures/monthly/city.ts';

let dir: string;
let db: string;

beforeAll(async () => {
  const t = await openTestStore('cli.duckdb');
  dir = t.dir;
  db = t.store.path;
  await buildCity(
    t.store,
    t,
    [system('A-1'), system('A-2', { system_name: '闲置系统' })],
    months('A-1', ['2026-08', '2026-09']),
    months('A-2', ['2026-08', '2026-09'], IDLE),
  );
  await runMonth(t.store, { month: '2026-09', profile: loadProfile('default'), now: NOW, trigger: 'test' });
  t.store.close();
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const program = buildProgram;

describe('govmon dashboard', () => {
  it('builds the site of a month that has been run', async () => {
    const out = path.join(dir, 'site-out');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      lines.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      await program().parseAsync(['node', 'govmon', '--db', db, 'dashboard', '--month', '2026-09', '--out', out]);
    } finally {
      process.stdout.write = write;
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(fs.existsSync(path.join(out, 'index.html'))).toBe(true);
    expect(lines.join('')).toMatch(/站点已生成：.*site-out（\d+ 个页面/);
    expect(fs.readFileSync(path.join(out, 'rectification.html'), 'utf8')).toContain('闲置系统');
  });

  it('writes into site/YYYY-MM beside the database when --out is not given', async () => {
    await program().parseAsync(['node', 'govmon', '--db', db, '-q', 'dashboard', '--month', '2026-09']);
    expect(fs.existsSync(path.join(dir, 'site', '2026-09', 'index.html'))).toBe(true);
  });

  it('says in one Chinese line that a month has not been run', async () => {
    const e = await program()
      .parseAsync(['node', 'govmon', '--db', db, 'dashboard', '--month', '2026-07', '--out', path.join(dir, 'x')])
      .catch((x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toBe('2026-07 尚无月度运行结果，请先执行 govmon run --month 2026-07');
  });

  it('refuses a malformed month before opening the database', async () => {
    const e = await program()
      .parseAsync(['node', 'govmon', '--db', path.join(dir, 'none.duckdb'), 'dashboard', '--month', '2026-13'])
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe('--month 2026-13 不是有效的月份：月份应为 01 到 12');
    expect(fs.existsSync(path.join(dir, 'none.duckdb'))).toBe(false);
  });
});
