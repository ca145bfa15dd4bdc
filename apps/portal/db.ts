// The portal's hold on the database (docs/operations.md, "the portal"): the one open DuckDB
// instance of the process, and the connection the portal's own work uses. DuckDB connections run
// one statement and one transaction at a time, so the portal's queries and writes (audit rows,
// uploads, replies) take turns here; scheduled jobs run on connections of their own (`lend`).

import type { Store } from '../../pipelines/store/database.ts';

export class PortalDb {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly store: Store) {}

  /** Run `fn` with the store when the work queued before it is done. */
  use<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const run = () => fn(this.store);
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** A connection of its own for a scheduled job (its transactions apart from the portal's). */
  lend(): Promise<Store> {
    return this.store.connect();
  }
}
