// `govmon demo` (what `npm start` runs): the sample city → ingest → runs → documents → dashboard.

import { loadProfile } from '../../../pipelines/profiles.ts';
import { progressEnabled } from '../../../pipelines/progress.ts';
import { runDemo } from '../../demo/demo.ts';
import { monthArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

export async function demo(kit: Kit, o: { endMonth?: string }): Promise<number> {
  const endMonth = o.endMonth === undefined ? undefined : parseArg(monthArg('--end-month'), o.endMonth);
  return kit.withStore(async (store, log) => {
    await runDemo(store, { now: new Date(), log, profile: loadProfile(kit.g.profile), endMonth, progress: progressEnabled(kit.g.quiet) });
    return 0;
  });
}
