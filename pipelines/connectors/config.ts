// Mapping files of the connectors: raw JSON in, typed value out, once. A syntax error names the
// line and column; a schema error names every dotted path at once, in Chinese (zod's zh-CN
// locale, with our own messages where a field has one).

import fs from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';

export interface ConfigIssue {
  path: string;
  message: string;
}

/** Validate an already-parsed value; all issues with dotted paths (`columns.cpu_avg_pct.expr`). */
export function validateConfig<T>(schema: z.ZodType<T>, raw: unknown): { value?: T; issues: ConfigIssue[] } {
  const r = schema.safeParse(raw, { error: z.locales.zhCN().localeError });
  if (r.success) return { value: r.data, issues: [] };
  return {
    issues: r.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '（根）',
      message: i.code === 'unrecognized_keys' ? `未知的字段：${i.keys.join('、')}` : i.message,
    })),
  };
}

/** Read and validate a JSON configuration file; a UserError lists every problem. */
export function readJsonConfig<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`无法读取${what} ${file}：${code === 'ENOENT' ? '文件不存在' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what} ${file} 不是有效的 JSON：${jsonErrorWhere(text, e as Error)}`);
  }
  const { value, issues } = validateConfig(schema, raw);
  if (!value)
    throw new UserError(`${what} ${file} 有 ${issues.length} 处错误：\n${issues.map((i) => `  ${i.path}：${i.message}`).join('\n')}`);
  return value;
}

/** "第 3 行第 14 列附近：…" from V8's "… at position 57 (line 3 column 14)". */
function jsonErrorWhere(text: string, e: Error): string {
  const lc = /line (\d+) column (\d+)/.exec(e.message);
  if (lc) return `第 ${lc[1]} 行第 ${lc[2]} 列附近有语法错误`;
  const pos = /position (\d+)/.exec(e.message);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return `第 ${line} 行第 ${col} 列附近有语法错误`;
  }
  return /Unexpected end/.test(e.message) ? '内容不完整（缺少结尾的括号或引号）' : '语法错误';
}
