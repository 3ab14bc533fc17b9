import type { Core } from '../core/platform.ts';
import { systemClock } from '../kernel/clock.ts';
import { createUpstreams } from '../upstream/index.ts';
import type { Config } from './config.ts';
import { assembleCore, openCheckedStore, openState } from './openCore.ts';

/** The core opened for one operator command, and how to close it. */
export interface OperatorCore {
  readonly core: Core;
  close(): Promise<void>;
}

/** Counts nothing: an operator command keeps no metrics. */
const noMetrics = { upstreamCalls: { inc() {} }, upstreamLatency: { observe() {} } };

/** Warnings go to stderr as one line each (no logger: pino and Fastify stay unloaded). */
const stderrLog = {
  error: (_obj: unknown, message?: string) => void process.stderr.write(`kaifang: ${message ?? 'error'}\n`),
  info: () => undefined,
} as never;

/**
 * The core on an existing store, for an operator command (`kaifang <front> …`, `kaifang calls …`):
 * the store checked as the server checks it (schema current, master key matching), read-only (no
 * migration, no file created, no probe write), with state and upstreams, but none of what only a
 * server needs — no HTTP app, metrics, call-log writer, sandbox or other fronts' services — so a
 * command answers in a fraction of a second.
 */
export async function openOperatorCore(config: Config): Promise<OperatorCore> {
  const clock = systemClock;
  const selfUrl = () => config.publicUrl ?? `http://127.0.0.1:${config.port}`;
  // Before the store opens, as the server does: a live provider missing a setting fails with nothing to undo.
  const upstreams = createUpstreams(config, noMetrics, selfUrl);
  const { store, box } = await openCheckedStore(config, clock, false, true);
  try {
    const state = await openState(config, store, stderrLog);
    const core = assembleCore({ config, store, box, clock, state, upstreams, selfUrl });
    return {
      core,
      async close() {
        await state.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
