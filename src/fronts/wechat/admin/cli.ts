import { InvalidArgumentError, type Command } from 'commander';
import type { WechatApps } from '../../../core/wechat/index.ts';
import {
  confirmed,
  deleteCommand,
  leaf,
  lines,
  listOptions,
  output,
  pageOf,
  readSecret,
  table,
  type CliOptions,
  type CliRunner,
} from '../../kit/cli.ts';

type Listing = CliOptions & { limit?: number; offset?: number; search?: string };
type Deleting = CliOptions & { yes?: boolean };
import { wechatOperations } from './operations.ts';
import type { MiniProgramView, OfficialAccountView, PayMerchantView } from './present.ts';

const formatApp = (a: MiniProgramView) =>
  lines([
    ['appid', a.appid],
    ['name', a.name],
    ['status', a.status],
  ]);
const formatAppList = (apps: MiniProgramView[]) =>
  apps.length === 0
    ? 'no mini-programs'
    : table(
        ['APPID', 'NAME', 'STATUS'],
        apps.map((a) => [a.appid, a.name, a.status]),
      );

const formatPay = (m: PayMerchantView) =>
  lines([
    ['mchId', m.mchId],
    ['appid', m.appid],
    ['name', m.name],
    ['status', m.status],
  ]);
type Run = (cmd: Command, o: CliOptions, body: (ops: ReturnType<typeof wechatOperations>) => Promise<void>) => Promise<void>;

/** `kaifang wechat miniapps …` and `kaifang wechat pay-merchants …`: the WeChat apps the platform holds secrets for. */
export function wechatCli(wechat: Command, runner: CliRunner<WechatApps>): void {
  const miniapps = wechat.command('miniapps').description('mini-programs (appid + AppSecret) used by storepos WXA_Code2Session');
  const run: Run = (cmd, o, body) => runner(cmd, o, (w) => body(wechatOperations(w)));
  payMerchantCommands(
    wechat.command('pay-merchants').description('WeChat Pay merchants (mch_id + API v2 key) used by jucai WECHAT channels'),
    run,
  );
  officialAccountCommands(
    wechat.command('official-accounts').description('official accounts (appid + AppSecret, prize-notice template) used by weiting'),
    run,
  );
  leaf(miniapps, 'create', 'register a mini-program and its AppSecret (stored encrypted)')
    .requiredOption('--appid <appid>', 'the mini-program appid (wx…)')
    .requiredOption('--secret <secret>', 'its AppSecret ("-" reads it from stdin)')
    .option('--name <name>', 'a name for operators (default: the appid)')
    .action((o: CliOptions & { appid: string; secret: string; name?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createMiniapp({
          appid: o.appid,
          secret: readSecret(o.secret, 'secret'),
          ...(o.name !== undefined ? { name: o.name } : {}),
        });
        output(o.json, a, () => formatApp(a));
      }),
    );
  listOptions(leaf(miniapps, 'list', 'list mini-programs; --search matches appid and name')).action((o: Listing, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listMiniapps(pageOf(o));
      output(o.json, r, () => formatAppList(r.miniapps));
    }),
  );
  leaf(miniapps, 'show <appid>', 'show a mini-program').action((appid: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showMiniapp(appid);
      output(o.json, a, () => formatApp(a));
    }),
  );
  deleteCommand(miniapps, 'appid', 'delete a mini-program and its grants to agents').action((appid: string, o: Deleting, cmd: Command) =>
    run(cmd, o, async (ops) => {
      confirmed(o, `mini-program ${appid}`);
      const r = await ops.deleteMiniapp(appid);
      output(o.json, r, () => `deleted mini-program ${appid}`);
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
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(miniapps, `${name} <appid>`, `${name} a mini-program for every agent`).action((appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setMiniappEnabled(appid, enabled);
        output(o.json, a, () => formatApp(a));
      }),
    );
  }
}

function payMerchantCommands(pay: Command, run: Run): void {
  leaf(pay, 'create', 'register a WeChat Pay merchant and its API v2 key (stored encrypted)')
    .requiredOption('--mch-id <mchId>', 'the WeChat Pay merchant number')
    .requiredOption('--appid <appid>', 'the appid it pays under (wx…)')
    .requiredOption('--key <key>', 'its API v2 key ("-" reads it from stdin)')
    .option('--name <name>', 'a name for operators (default: the mch_id)')
    .action((o: CliOptions & { mchId: string; appid: string; key: string; name?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const m = await ops.createPayMerchant({
          mchId: o.mchId,
          appid: o.appid,
          key: readSecret(o.key, 'key'),
          ...(o.name !== undefined ? { name: o.name } : {}),
        });
        output(o.json, m, () => formatPay(m));
      }),
    );
  listOptions(leaf(pay, 'list', 'list WeChat Pay merchants; --search matches mch_id, appid and name')).action((o: Listing, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listPayMerchants(pageOf(o));
      output(o.json, r, () =>
        r.payMerchants.length === 0
          ? 'no WeChat Pay merchants'
          : table(
              ['MCH_ID', 'APPID', 'NAME', 'STATUS'],
              r.payMerchants.map((m) => [m.mchId, m.appid, m.name, m.status]),
            ),
      );
    }),
  );
  leaf(pay, 'show <mchId>', 'show a WeChat Pay merchant').action((mchId: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const m = await ops.showPayMerchant(mchId);
      output(o.json, m, () => formatPay(m));
    }),
  );
  leaf(pay, 'set-secret <mchId>', 'replace the API v2 key (after resetting it on pay.weixin.qq.com)')
    .requiredOption('--secret <secret>', 'the new key ("-" reads it from stdin)')
    .action((mchId: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const m = await ops.setPayMerchantKey(mchId, readSecret(o.secret, 'secret'));
        output(o.json, m, () => formatPay(m));
      }),
    );
  leaf(pay, 'set-key <mchId>', 'deprecated: set-secret')
    .requiredOption('--key <key>', 'the new key ("-" reads it from stdin)')
    .action((mchId: string, o: CliOptions & { key: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const m = await ops.setPayMerchantKey(mchId, readSecret(o.key, 'key'));
        output(o.json, m, () => formatPay(m));
      }),
    );
  deleteCommand(pay, 'mchId', 'delete a WeChat Pay merchant (巨彩 channels naming it become unusable)').action(
    (mchId: string, o: Deleting, cmd: Command) =>
      run(cmd, o, async (ops) => {
        confirmed(o, `WeChat Pay merchant ${mchId}`);
        const r = await ops.deletePayMerchant(mchId);
        output(o.json, r, () => `deleted WeChat Pay merchant ${mchId}`);
      }),
  );
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(pay, `${name} <mchId>`, `${name} a WeChat Pay merchant`).action((mchId: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const m = await ops.setPayMerchantEnabled(mchId, enabled);
        output(o.json, m, () => formatPay(m));
      }),
    );
  }
}

const formatAccount = (a: OfficialAccountView) =>
  lines([
    ['appid', a.appid],
    ['name', a.name],
    ['status', a.status],
    ['prizeTemplateId', a.prizeTemplateId],
    [
      'prizeKeywords',
      Object.entries(a.prizeKeywords)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ],
  ]);

/** `first=first,activity=keyword1,…` */
function keywordsOption(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const [k, v] = pair.split('=');
    if (!k || !v)
      throw new InvalidArgumentError('expected field=keyword pairs, e.g. first=first,activity=keyword1,prize=keyword2,remark=remark');
    out[k.trim()] = v.trim();
  }
  return out;
}

function officialAccountCommands(accounts: Command, run: Run): void {
  const templateOptions = (cmd: Command) =>
    cmd
      .option('--template-id <id>', 'the prize-notice template id, or "none"')
      .option('--keywords <pairs>', 'template keywords: first=first,activity=keyword1,prize=keyword2,remark=remark', keywordsOption);
  templateOptions(
    leaf(accounts, 'create', 'register an official account and its AppSecret (stored encrypted)')
      .requiredOption('--appid <appid>', 'the official account appid (wx…)')
      .requiredOption('--secret <secret>', 'its AppSecret ("-" reads it from stdin)')
      .option('--name <name>', 'a name for operators (default: the appid)'),
  ).action(
    (
      o: CliOptions & { appid: string; secret: string; name?: string; templateId?: string; keywords?: Record<string, string> },
      cmd: Command,
    ) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createOfficialAccount({
          appid: o.appid,
          secret: readSecret(o.secret, 'secret'),
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.templateId !== undefined ? { prizeTemplateId: o.templateId === 'none' ? null : o.templateId } : {}),
          ...(o.keywords ? { prizeKeywords: o.keywords } : {}),
        });
        output(o.json, a, () => formatAccount(a));
      }),
  );
  listOptions(leaf(accounts, 'list', 'list official accounts; --search matches appid and name')).action((o: Listing, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listOfficialAccounts(pageOf(o));
      output(o.json, r, () =>
        r.officialAccounts.length === 0
          ? 'no official accounts'
          : table(
              ['APPID', 'NAME', 'STATUS', 'TEMPLATE'],
              r.officialAccounts.map((a) => [a.appid, a.name, a.status, a.prizeTemplateId]),
            ),
      );
    }),
  );
  leaf(accounts, 'show <appid>', 'show an official account').action((appid: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showOfficialAccount(appid);
      output(o.json, a, () => formatAccount(a));
    }),
  );
  templateOptions(
    leaf(accounts, 'set <appid>', 'change the name, template or keyword mapping').option('--name <name>', 'a name for operators'),
  ).action((appid: string, o: CliOptions & { name?: string; templateId?: string; keywords?: Record<string, string> }, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.updateOfficialAccount(appid, {
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.templateId !== undefined ? { prizeTemplateId: o.templateId === 'none' ? null : o.templateId } : {}),
        ...(o.keywords ? { prizeKeywords: o.keywords } : {}),
      });
      output(o.json, a, () => formatAccount(a));
    }),
  );
  deleteCommand(accounts, 'appid', 'delete an official account').action((appid: string, o: Deleting, cmd: Command) =>
    run(cmd, o, async (ops) => {
      confirmed(o, `official account ${appid}`);
      const r = await ops.deleteOfficialAccount(appid);
      output(o.json, r, () => `deleted official account ${appid}`);
    }),
  );
  leaf(accounts, 'set-secret <appid>', 'replace the AppSecret (after resetting it on mp.weixin.qq.com)')
    .requiredOption('--secret <secret>', 'the new AppSecret ("-" reads it from stdin)')
    .action((appid: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setOfficialAccountSecret(appid, readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatAccount(a));
      }),
    );
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(accounts, `${name} <appid>`, `${name} an official account`).action((appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setOfficialAccountEnabled(appid, enabled);
        output(o.json, a, () => formatAccount(a));
      }),
    );
  }
}
