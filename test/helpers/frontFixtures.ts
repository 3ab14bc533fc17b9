import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fronts } from '../../src/fronts/all.ts';
import type { TestServer } from './server.ts';

/**
 * What a front's tests give the platform's tests that loop over every front (the store copy, for
 * one): `src/fronts/<name>/test/fixture.ts` exports `fixture`. A front without one is left out of
 * those tests; a removed front is simply not in the list.
 */
export interface FrontFixture<Creds = unknown> {
  /** Makes the front's credentials through the admin API and one successful call with them. */
  fill(s: TestServer): Promise<Creds>;
  /** The same credentials work at `url` (another server on a copy of the store). */
  callAgain(url: string, creds: Creds): Promise<void>;
  /** Tables that hold rows once `fill` ran. */
  readonly filledTables: readonly string[];
}

export async function frontFixtures(): Promise<{ name: string; fixture: FrontFixture }[]> {
  const out: { name: string; fixture: FrontFixture }[] = [];
  for (const front of fronts) {
    const url = new URL(`../../src/fronts/${front.name}/test/fixture.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const { fixture } = (await import(url.href)) as { fixture: FrontFixture };
    out.push({ name: front.name, fixture });
  }
  return out;
}
