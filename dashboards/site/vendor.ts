// The third-party scripts the pages run, copied from node_modules into the site with their
// licenses: nothing is loaded from a CDN, so the site works on a network with no internet.
// Source-map comments are dropped (the maps are not shipped, and a browser would ask for them).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface VendorFile {
  pkg: string;
  file: string;
  as: string;
  licenses: string[];
}

export const VENDOR: readonly VendorFile[] = [
  { pkg: 'vega', file: 'build/vega.min.js', as: 'vega.min.js', licenses: ['LICENSE'] },
  { pkg: 'vega-lite', file: 'build/vega-lite.min.js', as: 'vega-lite.min.js', licenses: ['LICENSE'] },
  { pkg: 'vega-embed', file: 'build/vega-embed.min.js', as: 'vega-embed.min.js', licenses: ['LICENSE'] },
  // the UMD build: defines the global `Arrow`
  { pkg: 'apache-arrow', file: 'Arrow.es2015.min.js', as: 'arrow.min.js', licenses: ['LICENSE.txt', 'NOTICE.txt'] },
];

/** The installed folder of a package (walks up from its resolved entry to its package.json). */
export function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === name) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
}

export function packageVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')).version as string;
}

/** The vendor scripts and their licenses, handed to `put` as `vendor/<file>` (the site's writer). */
export function copyVendor(put: (rel: string, content: string | Uint8Array) => void): string[] {
  const written: string[] = [];
  for (const v of VENDOR) {
    const dir = packageDir(v.pkg);
    const js = fs.readFileSync(path.join(dir, v.file), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    put(`vendor/${v.as}`, js);
    written.push(`vendor/${v.as}`);
    for (const l of v.licenses) {
      const target = `${v.pkg}.${l.replace(/\.txt$/, '')}.txt`;
      put(`vendor/${target}`, fs.readFileSync(path.join(dir, l)));
      written.push(`vendor/${target}`);
    }
  }
  return written;
}
