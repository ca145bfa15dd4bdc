// One daemon per database (docs/operations.md §8): `govmon schedule` holds a lock file beside the
// database, `<db>.daemon.lock`, naming its PID, host and start time. A second daemon on the same
// database finds it and exits non-zero with a Chinese message naming the holder — two daemons
// would both fire every job, and each would fail on the other's open database. A lock left by a
// daemon that died (kill -9, a power cut) is taken over when its PID no longer runs on this host.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { formatLocal } from '../../core/clock.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder started */
  started_at: string;
  /** the database, as the holder opened it */
  db: string;
}

export interface DaemonLock {
  file: string;
  holder: LockHolder;
  /** a stale lock taken over from a daemon that had died, if any */
  tookOver?: LockHolder;
  release(): void;
}

/** The lock file of a database: beside it, by its real path (two spellings of one file share a lock). */
export function lockFile(dbPath: string): string {
  const abs = path.resolve(dbPath);
  let real = abs;
  try {
    real = fs.realpathSync(abs);
  } catch {
    // not created yet: the daemon creates it beside the lock
  }
  return `${real}.daemon.lock`;
}

/** Does this PID run a govmon daemon on this machine? (A reused PID running something else does not count.) */
function daemonAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it runs, as another user
  }
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('schedule');
  } catch {
    return true; // no /proc: trust the PID
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Take the lock of `dbPath`, or throw a UserError naming the daemon that holds it. */
export function acquireDaemonLock(dbPath: string, now: Date): DaemonLock {
  const file = lockFile(dbPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), started_at: now.toISOString(), db: path.resolve(dbPath) };
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    // written whole under a temporary name, then linked into place: link fails if the lock exists,
    // so two daemons starting at once cannot both win, and no one reads a half-written lock
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
    try {
      fs.linkSync(tmp, file);
      fs.rmSync(tmp, { force: true });
      return {
        file,
        holder,
        tookOver,
        release: () => {
          if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readHolder(file);
    if (other && other.host === os.hostname() && other.pid !== process.pid && !daemonAlive(other.pid)) {
      // the holder died without releasing: take over (the interrupted job is closed at start)
      tookOver = other;
      fs.rmSync(file, { force: true });
      continue;
    }
    throw new UserError(
      other
        ? `数据库 ${path.resolve(dbPath)} 已有一个定时任务守护进程在运行（PID ${other.pid}，主机 ${other.host}，启动于 ${formatLocal(other.started_at, true)}）：同一个数据库只能运行一个守护进程，本进程退出。如确认该进程已不存在，可删除锁文件 ${file} 后重试。`
        : `数据库 ${path.resolve(dbPath)} 的守护进程锁文件 ${file} 无法读取：可能有另一个守护进程正在启动；如确认没有，请删除该文件后重试。`,
      1,
    );
  }
  throw new UserError(`无法取得数据库 ${path.resolve(dbPath)} 的守护进程锁 ${file}，请稍后重试。`, 1);
}
