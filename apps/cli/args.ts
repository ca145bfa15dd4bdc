// The arguments commands share, checked by zod with Chinese messages (docs/architecture.md): each
// is defined once here and used by every command that takes it.

import { z } from 'zod';
import { KINDS, type Kind } from '../../metrics/contract.ts';

const MONTH_RE = /^(\d{4})-(\d{1,2})$/;

/** YYYY-MM: a wrong shape and a month that does not exist (2025-13) get different messages. */
export const monthArg = (flag = '--month') =>
  z
    .string({ error: `请用 ${flag} 指定月份（YYYY-MM，如 2026-10）` })
    .trim()
    .refine((s) => MONTH_RE.test(s), { error: (i) => `${flag} 应为 YYYY-MM，如 2026-10（收到“${String(i.input)}”）`, abort: true })
    .refine((s) => /^\d{4}-\d{2}$/.test(s) && Number(s.slice(5)) >= 1 && Number(s.slice(5)) <= 12, {
      error: (i) => `${flag} ${String(i.input)} 不是有效的月份：月份应为 01 到 12`,
    });

/** YYYY from 2000 to 2100: a missing value, a wrong shape and a year out of range get different messages. */
export const yearArg = (flag = '--year') =>
  z
    .string({ error: `请用 ${flag} 指定年度（四位年份，如 2025）` })
    .trim()
    .refine((s) => /^\d{4}$/.test(s), { error: (i) => `${flag} 应为四位年份，如 2025（收到“${String(i.input)}”）`, abort: true })
    .transform(Number)
    .refine((y) => y >= 2000 && y <= 2100, { error: (i) => `${flag} ${String(i.input)} 超出范围：应在 2000 到 2100 之间` });

export const dateArg = (flag: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${flag} 应为 YYYY-MM-DD，如 2026-10-01` })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, {
      error: `${flag} 不是有效的日期`,
    });

export const dirArg = (what = '文件夹') =>
  z
    .string({ error: `请指定${what}` })
    .trim()
    .min(1, { error: `请指定${what}` });

export const portArg = z.coerce
  .number({ error: '--port 应为 0–65535 之间的整数' })
  .int({ error: '--port 应为 0–65535 之间的整数' })
  .min(0, { error: '--port 应为 0–65535 之间的整数' })
  .max(65535, { error: '--port 应为 0–65535 之间的整数' });

export const kindArg = z.enum(KINDS as [Kind, ...Kind[]], { error: () => `--kind 应为 ${KINDS.join('、')} 之一` });
