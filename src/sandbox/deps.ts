import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { StateStore } from '../state/state.ts';
import type { Database } from '../store/schema.ts';
import type { SmsSettings } from '../upstream/sms/index.ts';
import type { SandboxJournal } from './journal.ts';
import type { SandboxOutbox } from './outbox.ts';
import type { SandboxTemplateInbox } from './templateInbox.ts';

/** What the simulators are given: they know no server, only these. */
export interface SandboxDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** For one-time things the simulated upstreams remember (used codes, nonces). */
  state: StateStore;
  /** The adapters' timeout: a simulated hang lasts longer than this. */
  upstreamTimeoutMs: number;
  /** The SMS settings, whose credentials the SMS simulators expect. */
  sms: SmsSettings;
  outbox: SandboxOutbox;
  /** Template messages the simulated official accounts "delivered". */
  templateInbox: SandboxTemplateInbox;
  /** Where the answers of the payment and login simulators are noted for the console; none = not noted. */
  journal?: SandboxJournal;
}
