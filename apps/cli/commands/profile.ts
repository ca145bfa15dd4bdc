// `govmon profile list` and `govmon profile show [NAME]`: the policy profiles as a person reads
// them. No database: a profile is a file, loaded and validated the same way a run loads it.

import { loadProfile, loadShippedProfiles } from '../../../pipelines/profiles.ts';
import { formatProfile, formatProfileList } from '../../../metrics/profiles/show.ts';
import type { Kit } from '../kit.ts';

export async function list(): Promise<number> {
  process.stdout.write(`${formatProfileList(loadShippedProfiles())}\n`);
  return 0;
}

export async function show(kit: Kit, name: string | undefined): Promise<number> {
  process.stdout.write(`${formatProfile(loadProfile(name ?? kit.g.profile))}\n`);
  return 0;
}
