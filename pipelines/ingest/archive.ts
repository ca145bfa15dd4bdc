// The raw-file archive: every file is copied here, named by its SHA-256, before it is parsed, so
// nothing a department sent is ever lost and every stored row can be traced to exact bytes.

import crypto from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { utf8Boundary } from './encoding.ts';

export interface Archived {
  sha256: string;
  archivePath: string;
  sizeBytes: number;
  /** the whole file is valid UTF-8 (checked in the same pass as the hash) */
  utf8Valid: boolean;
}

/** SHA-256 of a file and whether it is valid UTF-8, in one streamed pass. */
export async function hashFile(p: string): Promise<{ sha256: string; utf8Valid: boolean }> {
  const h = crypto.createHash('sha256');
  let valid = true;
  let carry: Buffer = Buffer.alloc(0);
  for await (const c of fs.createReadStream(p, { highWaterMark: 4 << 20 })) {
    const chunk = c as Buffer;
    h.update(chunk);
    if (!valid) continue;
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = utf8Boundary(buf);
    valid = isUtf8(buf.subarray(0, cut));
    carry = Buffer.from(buf.subarray(cut));
  }
  if (valid && carry.length) valid = isUtf8(carry);
  return { sha256: h.digest('hex'), utf8Valid: valid };
}

export async function sha256File(p: string): Promise<string> {
  return (await hashFile(p)).sha256;
}

/**
 * Copy `src` into `archiveDir/<sha[0:2]>/<sha><ext>`: first to a temporary name (a copy-on-write
 * clone where the file system has them — XFS, btrfs — else the kernel's copy_file_range; either way
 * the copy's bytes do not change when `src` does), then hash the copy, then rename it into place,
 * so a crash never leaves a half-written file under a hash name and the hash is of the bytes we
 * will parse.
 */
export async function archiveFile(src: string, archiveDir: string): Promise<Archived> {
  fs.mkdirSync(archiveDir, { recursive: true });
  const tmp = path.join(archiveDir, `.incoming-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  await fs.promises.copyFile(src, tmp, fs.constants.COPYFILE_FICLONE);
  try {
    const { sha256, utf8Valid } = await hashFile(tmp);
    const ext = path
      .extname(src)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '')
      .slice(0, 10);
    const dir = path.join(archiveDir, sha256.slice(0, 2));
    fs.mkdirSync(dir, { recursive: true });
    const archivePath = path.join(dir, `${sha256}${ext}`);
    const sizeBytes = fs.statSync(tmp).size;
    if (fs.existsSync(archivePath)) fs.rmSync(tmp);
    else fs.renameSync(tmp, archivePath);
    return { sha256, archivePath, sizeBytes, utf8Valid };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
