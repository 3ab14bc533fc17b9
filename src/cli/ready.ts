import type { Command } from 'commander';
import { configFrom, fail } from './context.ts';

/**
 * `kaifang ready [--wait N]`: asks the server configured here (KAIFANG_HOST, KAIFANG_PORT) for
 * /readyz, up to N seconds until it answers 200; exit 0 when ready, 1 otherwise. A readiness check
 * for service managers (deploy/kaifang.service's ExecStartPost) and scripts.
 */
export function readyCommand(program: Command): void {
  program
    .command('ready')
    .description("exit 0 once this configuration's server answers /readyz with 200 (for service managers and scripts)")
    .option('--wait <seconds>', 'keep asking for up to this long', (v) => Number(v), 0)
    .option('--url <url>', 'the server to ask (default: http://KAIFANG_HOST:KAIFANG_PORT)')
    .action(async (options: { wait: number; url?: string }) => {
      try {
        const config = configFrom({});
        const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
        const base = options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
        const deadline = Date.now() + Math.max(0, options.wait) * 1000;
        let last = 'no answer';
        for (;;) {
          try {
            const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) });
            last = `${res.status} ${await res.text()}`;
            if (res.status === 200) {
              process.stdout.write(`ready: ${base}\n`);
              return;
            }
          } catch (err) {
            last = (err as Error).message;
          }
          if (Date.now() >= deadline) throw new Error(`${base}/readyz is not ready: ${last}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      } catch (err) {
        fail(err);
      }
    });
}
