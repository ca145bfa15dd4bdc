// Loading profiles: a shipped one by name (metrics/profiles/<name>.json), or a user's JSON file
// that `extends` a shipped one and overrides what it changes. The result is validated whole and
// hashed (SHA-256 of its canonical JSON), and every run records that hash.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.ts';
import { rootPath } from '../core/paths.ts';
import { validateProfile, type LoadedProfile, type Profile } from '../metrics/profiles/schema.ts';

export const PROFILE_DIR = rootPath('metrics', 'profiles');

export type { LoadedProfile };

export function shippedProfiles(): string[] {
  return fs
    .readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

function readJson(file: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`找不到政策配置 ${label}（可用：${shippedProfiles().join('、')}，或给出 JSON 文件路径）`);
  }
  try {
    const v = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('不是 JSON 对象');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`政策配置 ${label} 不是有效的 JSON：${(e as Error).message}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects merge key by key; arrays and scalars (and null) replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function resolveRaw(nameOrPath: string, seen: string[] = []): Record<string, unknown> {
  const isFile = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep);
  const file = isFile ? path.resolve(nameOrPath) : path.join(PROFILE_DIR, `${nameOrPath}.json`);
  if (!isFile && !/^[a-z][a-z0-9_-]*$/.test(nameOrPath)) throw new UserError(`政策配置名称无效：${nameOrPath}`);
  if (seen.includes(file)) throw new UserError(`政策配置的 extends 形成循环：${[...seen, file].join(' → ')}`);
  const raw = readJson(file, nameOrPath);
  const parent = raw.extends;
  if (parent === undefined) return raw;
  if (typeof parent !== 'string') throw new UserError(`政策配置 ${nameOrPath} 的 extends 应为配置名称`);
  const base = resolveRaw(parent, [...seen, file]);
  const merged = deepMerge(base, raw) as Record<string, unknown>;
  merged.extends = parent;
  return merged;
}

export function loadProfile(nameOrPath = 'default'): LoadedProfile {
  const raw = resolveRaw(nameOrPath);
  const { profile, issues } = validateProfile(raw);
  if (!profile)
    throw new UserError(
      `政策配置 ${nameOrPath} 有 ${issues.length} 处错误：\n${issues.map((i) => `  ${i.path}：${i.message}`).join('\n')}`,
    );
  return { profile, sha256: profileHash(profile), source: nameOrPath };
}

/** SHA-256 of the canonical JSON (keys sorted) of a resolved profile. */
export function profileHash(p: Profile): string {
  return crypto.createHash('sha256').update(canonicalJson(p)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Every shipped profile, loaded, or the reason it failed to load (for `govmon profile list`). */
export function loadShippedProfiles(): { name: string; loaded?: LoadedProfile; error?: string }[] {
  return shippedProfiles().map((name) => {
    try {
      return { name, loaded: loadProfile(name) };
    } catch (e) {
      return { name, error: (e as Error).message };
    }
  });
}
