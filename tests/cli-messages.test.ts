// The command line's answers to a person's mistakes, through the real CLI (bin/govmon.js, the
// compiled build): one Chinese line on stderr and exit code 1 — a month that does not exist is told
// apart from a wrong shape, a missing option or argument is named, and commander's English never
// shows. `profile show` names a measure by its title, never by an internal file path.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './fixtures/reliability.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('govmon-cli-');
const db = path.join(dir, 'g.duckdb');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The one line a mistake prints, and its exit code. */
async function mistake(args: string[]): Promise<string> {
  const r = await cli(['--db', db, ...args]);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  // no English from commander or zod, no stack
  expect(r.stderr).not.toMatch(/error:|required option|not specified|Expected|at .*\.js/);
  return lines[0];
}

describe('govmon <command> with a wrong or missing argument', () => {
  it('run --month 2025-13: the month does not exist (the shape is right)', async () => {
    expect(await mistake(['run', '--month', '2025-13'])).toBe('错误：--month 2025-13 不是有效的月份：月份应为 01 到 12');
  });

  it('run --month 2025/11: the shape is wrong', async () => {
    expect(await mistake(['run', '--month', '2025/11'])).toBe('错误：--month 应为 YYYY-MM，如 2026-10（收到“2025/11”）');
  });

  it('run without --month, dashboard without --month, evaluate without --year: the option is named', async () => {
    expect(await mistake(['run'])).toBe('错误：请用 --month 指定月份（YYYY-MM，如 2026-10）');
    expect(await mistake(['dashboard'])).toBe('错误：请用 --month 指定月份（YYYY-MM，如 2026-10）');
    expect(await mistake(['evaluate'])).toBe('错误：请用 --year 指定年度（四位年份，如 2025）');
  });

  it('evaluate --year 1999 and --year 25: out of range and wrong shape', async () => {
    expect(await mistake(['evaluate', '--year', '1999'])).toBe('错误：--year 1999 超出范围：应在 2000 到 2100 之间');
    expect(await mistake(['evaluate', '--year', '25'])).toBe('错误：--year 应为四位年份，如 2025（收到“25”）');
  });

  it('export without --out, with a month that does not exist, without its period', async () => {
    expect(await mistake(['export', 'scores', '--year', '2025'])).toBe('错误：请用 --out 指定输出文件（.csv、.xlsx、.parquet 或 .json）');
    expect(await mistake(['export', 'metrics', '--month', '2025-00', '--out', path.join(dir, 'm.csv')])).toBe(
      '错误：--month 2025-00 不是有效的月份：月份应为 01 到 12',
    );
    expect(await mistake(['export', 'metrics', '--out', path.join(dir, 'm.csv')])).toBe('错误：导出 metrics 需要 --month YYYY-MM');
  });

  it('a missing positional argument, an option without its value, an unknown option: in Chinese', async () => {
    expect(await mistake(['export'])).toBe('错误：缺少参数 KIND（类型）（用 govmon --help 查看用法）');
    expect(await mistake(['ingest'])).toBe('错误：缺少参数 PATH（要导入的文件或文件夹）（用 govmon --help 查看用法）');
    expect(await mistake(['run', '--month'])).toBe('错误：选项 --month 需要一个值（用 govmon --help 查看用法）');
    expect(await mistake(['run', '--mnth', '2025-11'])).toBe('错误：未知选项 --mnth（用 govmon --help 查看用法）');
  });

  it('template and sample: a missing --out, a year and an end month checked like the others', async () => {
    expect(await mistake(['template', 'om_report'])).toBe('错误：请用 --out 指定输出文件（.xlsx）');
    expect(await mistake(['template', 'om_report', '--out', path.join(dir, 't.xlsx'), '--department', '民政局', '--year', '19'])).toBe(
      '错误：--year 应为四位年份，如 2025（收到“19”）',
    );
    expect(await mistake(['sample', '--out', path.join(dir, 's'), '--end-month', '2025-13'])).toBe(
      '错误：--end-month 2025-13 不是有效的月份：月份应为 01 到 12',
    );
  });
});

describe('govmon profile show', () => {
  it('names the measure by its title and document number, not by an internal path', async () => {
    const r = await cli(['profile', 'show', 'suqian']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('依据办法：《宿迁市市级信息化项目管理办法》（宿政办发〔2024〕45号，以下简称《宿迁办法》）');
    expect(r.stdout).not.toMatch(/seeds\/|\d{3}_[0-9a-f]{16}\.txt/);
  });

  it('says that the default profile is a composite of several cities’ measures', async () => {
    const r = await cli(['profile', 'show', 'default']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('综合配置：本配置不对应某一个城市的办法，而是把 4 部办法（宁波、宿迁、绍兴、南充）');
    expect(r.stdout).not.toMatch(/seeds\/|\d{3}_[0-9a-f]{16}\.txt/);
  });
});
