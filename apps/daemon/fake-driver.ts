// A driver with a hand-moved clock, for tests of the scheduler: it fires a job at every minute at
// which node-cron's own matcher says its expression matches, in Asia/Shanghai time.

import cron, { type ScheduledTask } from 'node-cron';
import type { JobName } from './jobs.ts';
import { TIMEZONE, type Driver } from './scheduler.ts';

export class FakeClockDriver implements Driver {
  now: Date;
  private tasks: { name: JobName; task: ScheduledTask; fire: (at: Date) => void }[] = [];
  stopped = false;

  constructor(start: Date) {
    this.now = start;
  }

  readonly clock = (): Date => this.now;

  add(name: JobName, expr: string, fire: (at: Date) => void): void {
    this.tasks.push({ name, task: cron.createTask(expr, () => undefined, { timezone: TIMEZONE }), fire });
  }

  /** Move the clock forward to `to`, firing every matching minute on the way (after `now`, up to and including `to`). */
  advanceTo(to: Date): void {
    let t = Math.floor(this.now.getTime() / 60_000) * 60_000 + 60_000;
    for (; t <= to.getTime() && !this.stopped; t += 60_000) {
      this.now = new Date(t);
      for (const x of this.tasks) if (x.task.match(this.now)) x.fire(this.now);
    }
    this.now = to;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const x of this.tasks) await x.task.destroy();
  }
}
