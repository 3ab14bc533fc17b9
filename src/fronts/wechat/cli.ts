import type { Command } from 'commander';
import type { WechatApps } from '../../core/wechat/index.ts';
import { leaf, lines, output, readSecret, table, type CliOptions, type CliRunner } from '../kit/cli.ts';
import { wechatOperations } from './operations.ts';
import type { MiniProgramView } from './present.ts';

const formatApp = (a: MiniProgramView) => lines([['appid', a.appid], ['name', a.name], ['status', a.status]]);
const formatAppList = (apps: MiniProgramView[]) => (apps.length === 0 ? 'no mini-programs' : table(['APPID', 'NAME', 'STATUS'], apps.map((a) => [a.appid, a.name, a.status])));

/** `kaifang wechat miniapps …`: the WeChat apps the platform holds secrets for. */
export function wechatCli(wechat: Command, runner: CliRunner<WechatApps>): void {
  const miniapps = wechat.command('miniapps').description('mini-programs (appid + AppSecret) used by storepos WXA_Code2Session');
  const run = (cmd: Command, o: CliOptions, body: (ops: ReturnType<typeof wechatOperations>) => Promise<void>) => runner(cmd, o, (w) => body(wechatOperations(w)));
  leaf(miniapps, 'create', 'register a mini-program and its AppSecret (stored encrypted)')
    .requiredOption('--appid <appid>', 'the mini-program appid (wx…)')
    .requiredOption('--secret <secret>', 'its AppSecret ("-" reads it from stdin)')
    .option('--name <name>', 'a name for operators (default: the appid)')
    .action((o: CliOptions & { appid: string; secret: string; name?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createMiniapp({ appid: o.appid, secret: readSecret(o.secret, 'secret'), ...(o.name !== undefined ? { name: o.name } : {}) });
        output(o.json, a, () => formatApp(a));
      }),
    );
  leaf(miniapps, 'list', 'list mini-programs').action((o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listMiniapps();
      output(o.json, r, () => formatAppList(r.miniapps));
    }),
  );
  leaf(miniapps, 'show <appid>', 'show a mini-program').action((appid: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showMiniapp(appid);
      output(o.json, a, () => formatApp(a));
    }),
  );
  leaf(miniapps, 'set-secret <appid>', 'replace the AppSecret (after resetting it on mp.weixin.qq.com)')
    .requiredOption('--secret <secret>', 'the new AppSecret ("-" reads it from stdin)')
    .action((appid: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setMiniappSecret(appid, readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatApp(a));
      }),
    );
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    leaf(miniapps, `${name} <appid>`, `${name} a mini-program for every agent`).action((appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setMiniappEnabled(appid, enabled);
        output(o.json, a, () => formatApp(a));
      }),
    );
  }
}
