#!/usr/bin/env node
// Entry point for `govmon` / `npx govmon`: the compiled build in dist/ (made by `npm ci` through
// `prepare`, or `npm run build`).
import fs from 'node:fs';

const main = new URL('../dist/apps/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write('错误：尚未编译 govmon，请在项目目录运行 npm run build（npm ci 会自动编译）\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
await run(process.argv);
