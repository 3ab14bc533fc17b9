import type { Command } from 'commander';
import { redactUrl } from '../kernel/settings.ts';
import { loadConfig, settings } from '../server/config.ts';
import { output } from '../fronts/kit/cli.ts';
import { fail } from './context.ts';

const SECRET_SETTINGS = new Set([
  'KAIFANG_MASTER_KEY',
  'KAIFANG_MASTER_KEY_PREVIOUS',
  'KAIFANG_METRICS_TOKEN',
  'KAIFANG_ADMIN_TOKEN',
  'KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET',
  'KAIFANG_SMS_TENCENT_SECRET_KEY',
  'KAIFANG_SMS_WEBHOOK_SECRET',
]);

/** `kaifang config`: the effective settings (secrets hidden), or the settings table for the README. */
export function configCommand(program: Command): void {
  program
    .command('config')
    .description('show the effective configuration (secrets hidden), or --markdown for the table of every setting')
    .option('--markdown', 'print the table of settings with their defaults and meanings')
    .option('--json', 'print JSON')
    .action((options: { markdown?: boolean; json?: boolean }) => {
      try {
        if (options.markdown) {
          process.stdout.write(settingsTable() + '\n');
          return;
        }
        const config = loadConfig();
        const shown: Record<string, unknown> = {};
        for (const [name, spec] of Object.entries(settings)) {
          const value = (config as Record<string, unknown>)[name];
          shown[spec.env] =
            value === undefined ? null : SECRET_SETTINGS.has(spec.env) ? '(set)' : typeof value === 'string' ? redactUrl(value) : value;
        }
        output(options.json, shown, () =>
          Object.entries(shown)
            .map(([k, v]) => `${k.padEnd(40)} ${v === null ? '(unset)' : String(v)}`)
            .join('\n'),
        );
      } catch (err) {
        fail(err);
      }
    });
}

export function settingsTable(): string {
  const rows = Object.values(settings).map((s) => {
    const def = s.default === undefined ? '(unset)' : `\`${String(s.default)}\``;
    return `| \`${s.env}\` | ${def} | ${s.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| setting | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
