/**
 * The thread a `SharedThread` starts: each message from its owner names a role module, the data
 * for it and a port; the module's `serve(port, data)` answers that port from then on. A port keeps
 * what arrives before the module is loaded until its listener is attached.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';

/** What a role module exports. */
export interface ThreadRole {
  serve(port: MessagePort, data: unknown): void;
}

parentPort!.on('message', (m: { role: string; data: unknown; port: MessagePort }) => {
  // A role that cannot load ends the thread: its error reaches every channel as the thread's.
  void import(m.role).then((role: ThreadRole) => role.serve(m.port, m.data));
});
