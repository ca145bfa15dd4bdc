#!/usr/bin/env node
// The diagram of the floors in docs/architecture.md, generated from the imports themselves, so it
// cannot drift from the code: dependency-cruiser reads every import of core/ metrics/ pipelines/
// dashboards/ apps/ (with the project's own configuration), modules are collapsed to their floor —
// and, in pipelines/ and apps/, to their sub-folder (a file directly under those floors stands
// alone) — and the imports between groups are counted. The result is a Mermaid flowchart (GitHub
// renders it) and the same edges as a table, written between the markers of docs/architecture.md.
//
//   node tools/architecture.mjs           rewrite the block (npm run architecture)
//   node tools/architecture.mjs --check   exit 1 when the block is stale (npm run architecture:check, CI)
//
// Plain Node, no dependency beyond the project's own dependency-cruiser and Biome (which formats the
// block as `npm run lint` expects it).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(ROOT, 'docs', 'architecture.md');
const BEGIN = '<!-- architecture:begin -->';
const END = '<!-- architecture:end -->';

/** The floors, bottom to top (.dependency-cruiser.cjs holds the same order). */
const FLOORS = ['core', 'metrics', 'pipelines', 'dashboards', 'apps'];
/** Floors shown by sub-folder: they hold several parts with their own rules. */
const SPLIT = new Set(['pipelines', 'apps']);

/** dependency-cruiser's JSON over the floors, with the project's configuration. */
function cruise() {
  const pkgFile = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const bin = path.join(path.dirname(pkgFile), pkg.bin.depcruise);
  const args = [bin, ...FLOORS, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'];
  let out;
  try {
    out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    // depcruise exits non-zero when a rule is broken; the graph is still drawn (npm run boundaries
    // is the check that fails on it)
    if (!e.stdout) throw e;
    out = e.stdout;
  }
  return JSON.parse(out);
}

/** The group of a module: its floor, or `floor/sub-folder` (a file directly under it stays whole). */
function groupOf(file) {
  const parts = file.split('/');
  if (!FLOORS.includes(parts[0])) return null;
  if (!SPLIT.has(parts[0])) return parts[0];
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

function compareGroups(a, b) {
  const fa = FLOORS.indexOf(a.split('/')[0]);
  const fb = FLOORS.indexOf(b.split('/')[0]);
  return fa !== fb ? fa - fb : a < b ? -1 : a > b ? 1 : 0;
}

/** Groups with their module counts, and the imports between groups. */
function collapse(result) {
  const modules = new Map();
  const edges = new Map();
  for (const m of result.modules) {
    const from = groupOf(m.source);
    if (!from) continue;
    modules.set(from, (modules.get(from) ?? 0) + 1);
    for (const d of m.dependencies) {
      const to = groupOf(d.resolved);
      if (!to || to === from) continue;
      const key = `${from}\u0000${to}`;
      const e = edges.get(key) ?? { from, to, imports: 0, eager: 0 };
      e.imports++;
      // an eager import runs when the importing module loads; `import type` and a lazy import() do not
      const types = d.dependencyTypes ?? [];
      if (!d.dynamic && !types.includes('type-only')) e.eager++;
      edges.set(key, e);
    }
  }
  const groups = [...modules.keys()].sort(compareGroups);
  const list = [...edges.values()].sort((a, b) => compareGroups(a.from, b.from) || compareGroups(a.to, b.to));
  return { groups, modules, edges: list };
}

const nodeId = (g) => `n_${g.replace(/[^A-Za-z0-9]/g, '_')}`;
const shown = (g) => (g.endsWith('.ts') ? g : `${g}/`);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The generated block: a Mermaid flowchart and the same edges as a table. */
function render({ groups, modules, edges }) {
  const lines = ['```mermaid', 'flowchart TB'];
  for (const floor of [...FLOORS].reverse()) {
    const members = groups.filter((g) => g.split('/')[0] === floor);
    if (members.length === 0) continue;
    const node = (g) => `${nodeId(g)}["${shown(g)}<br/>${plural(modules.get(g), 'module')}"]:::${floor}`;
    if (SPLIT.has(floor)) {
      lines.push(`  subgraph f_${floor} ["${floor}/"]`);
      for (const g of members) lines.push(`    ${node(g)}`);
      lines.push('  end');
    } else for (const g of members) lines.push(`  ${node(g)}`);
  }
  for (const e of edges) lines.push(`  ${nodeId(e.from)} ${e.eager ? '-->' : '-.->'}|${e.imports}| ${nodeId(e.to)}`);
  lines.push(
    '  classDef core fill:#eeeeee,stroke:#666666',
    '  classDef metrics fill:#e3f2e1,stroke:#3c7a34',
    '  classDef pipelines fill:#e1ecf7,stroke:#2c5f8a',
    '  classDef dashboards fill:#fbeee0,stroke:#a0622d',
    '  classDef apps fill:#f3e5f5,stroke:#7b4a8b',
    '```',
  );
  const total = [...modules.values()].reduce((a, b) => a + b, 0);
  const imports = edges.reduce((a, e) => a + e.imports, 0);
  const table = [
    '',
    `${plural(total, 'module')} in ${plural(groups.length, 'group')}; ${plural(edges.length, 'edge')} carry ${plural(imports, 'import')} between groups`,
    '(an edge is dashed when none of its imports loads the other module eagerly: `import type` or a lazy `import()`).',
    '',
    '| from | to | imports | of which eager |',
    '| --- | --- | ---: | ---: |',
    ...edges.map((e) => `| \`${shown(e.from)}\` | \`${shown(e.to)}\` | ${e.imports} | ${e.eager} |`),
  ];
  return [
    BEGIN,
    '<!-- generated by `npm run architecture` (tools/architecture.mjs) from the imports; do not edit by hand -->',
    '',
    ...lines,
    ...table,
    '',
    END,
  ].join('\n');
}

/**
 * Markdown as the project's formatter writes it (Biome aligns tables), so that the block written
 * here is the block `npm run lint` accepts and the check compares like with like.
 */
function formatMarkdown(text) {
  const pkgFile = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const bin = path.join(path.dirname(pkgFile), pkg.bin.biome);
  return execFileSync(process.execPath, [bin, 'format', `--stdin-file-path=${DOC}`], {
    cwd: ROOT,
    input: text,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
}

/** The text between the markers, markers included; null when they are missing. */
function blockOf(text) {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  return begin < 0 || end < begin ? null : { begin, end: end + END.length, text: text.slice(begin, end + END.length) };
}

function main(argv) {
  const check = argv.includes('--check');
  const doc = fs.readFileSync(DOC, 'utf8');
  const current = blockOf(doc);
  if (!current) {
    process.stderr.write(`错误：docs/architecture.md 中缺少标记 ${BEGIN} … ${END} / the markers are missing\n`);
    return 1;
  }
  const next = formatMarkdown(doc.slice(0, current.begin) + render(collapse(cruise())) + doc.slice(current.end));
  const fresh = blockOf(next);
  if (check) {
    if (fresh.text === current.text) {
      process.stdout.write('架构图与代码一致 / docs/architecture.md matches the imports\n');
      return 0;
    }
    process.stderr.write(
      '错误：docs/architecture.md 中的架构图已过时，请运行 npm run architecture 并提交。\n' +
        'The architecture diagram in docs/architecture.md is stale: run `npm run architecture` and commit it.\n',
    );
    return 1;
  }
  if (next === doc) {
    process.stdout.write('架构图无变化 / docs/architecture.md is up to date\n');
    return 0;
  }
  fs.writeFileSync(DOC, next);
  process.stdout.write('已更新 docs/architecture.md 的架构图 / docs/architecture.md updated\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
