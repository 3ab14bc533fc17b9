import type { Command } from 'commander';
import { InvalidInput } from '../../../kernel/errors.ts';
import type { ChannelInput } from '../domain/channels.ts';
import { jucai } from '../signing.ts';
import {
  confirmed,
  deleteCommand,
  leaf,
  lines,
  listOptions,
  output,
  pageOf,
  readSecret,
  SHOWN_ONCE,
  table,
  wholeNumberOr,
  type CliOptions,
  type CliRunner,
} from '../../kit/cli.ts';

type Listing = CliOptions & { limit?: number; offset?: number; search?: string };
type Deleting = CliOptions & { yes?: boolean; cascade?: boolean };
import { jucaiOperations, type JucaiOperations } from './operations.ts';
import type { AppView, ChannelView, IsvView, MerchantView } from './present.ts';
import type { JucaiServices } from '../services.ts';

/**
 * `kaifang jucai isvs|merchants|channels|apps …` and `kaifang jucai sign …`: the admin API's
 * operations run directly against the store. Every command takes --json and --data-dir.
 */

type Run = (command: Command, options: CliOptions, body: (ops: JucaiOperations, s: JucaiServices) => Promise<void>) => Promise<void>;
const rate = wholeNumberOr('default');
const rateValue = (v: unknown) => (v === undefined ? undefined : v === 'default' ? null : (v as number));

const formatIsv = (i: IsvView) =>
  lines([
    ['isvNo', i.isvNo],
    ['name', i.name],
    ['status', i.status],
  ]);
const formatMerchant = (m: MerchantView & { channels?: ChannelView[] }) =>
  lines([
    ['mchNo', m.mchNo],
    ['isvNo', m.isvNo],
    ['name', m.name],
    ['status', m.status],
    ['ratePerSecond', m.ratePerSecond ?? 'default'],
    ['appRatePerSecond', m.appRatePerSecond ?? 'default'],
    ...(m.channels
      ? ([['channels', m.channels.map((c) => `${c.wayCode} (${c.status})`).join(', ') || '(none)']] as [string, unknown][])
      : []),
  ]);
const formatChannel = (c: ChannelView) =>
  lines([
    ['wayCode', c.wayCode],
    ['status', c.status],
    ...(Object.entries(c).filter(([k]) => !['wayCode', 'status', 'updatedAt'].includes(k)) as [string, unknown][]),
  ]);
function formatApp(a: AppView): string {
  const out = lines([
    ['appId', a.appId],
    ...(a.secret !== undefined ? ([['secret', a.secret]] as [string, unknown][]) : []),
    ['mchNo', a.mchNo],
    ['name', a.name],
    ['status', a.status],
  ]);
  return a.secret !== undefined ? `${out}\n\n${SHOWN_ONCE}` : out;
}

function isvCommands(isvs: Command, run: Run): void {
  leaf(isvs, 'create', 'create an ISV (ISV_I + 9 digits), or import one with --isv-no')
    .requiredOption('--name <name>', 'ISV name')
    .option('--isv-no <isvNo>', 'an existing ISV number')
    .action((o: CliOptions & { name: string; isvNo?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const i = await ops.createIsv({ name: o.name, ...(o.isvNo ? { isvNo: o.isvNo } : {}) });
        output(o.json, i, () => formatIsv(i));
      }),
    );
  listOptions(leaf(isvs, 'list', 'list ISVs; --search matches isvNo and name')).action((o: Listing, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listIsvs(pageOf(o));
      output(o.json, r, () =>
        r.isvs.length
          ? table(
              ['ISV_NO', 'NAME', 'STATUS'],
              r.isvs.map((i) => [i.isvNo, i.name, i.status]),
            )
          : 'no ISVs',
      );
    }),
  );
  leaf(isvs, 'show <isvNo>', 'show an ISV').action((isvNo: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const i = await ops.showIsv(isvNo);
      output(o.json, i, () => formatIsv(i));
    }),
  );
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(isvs, `${verb} <isvNo>`, `${verb} an ISV (every merchant under it answers 403 while disabled)`).action(
      (isvNo: string, o: CliOptions, cmd: Command) =>
        run(cmd, o, async (ops) => {
          const i = await ops.updateIsv(isvNo, { enabled });
          output(o.json, i, () => formatIsv(i));
        }),
    );
  }
  deleteCommand(isvs, 'isvNo', 'delete an ISV', 'also delete its merchants with their apps and channels').action(
    (isvNo: string, o: Deleting, cmd: Command) =>
      run(cmd, o, async (ops) => {
        confirmed(o, `ISV ${isvNo}`);
        const r = await ops.deleteIsv(isvNo, o.cascade ?? false);
        output(o.json, r, () => `deleted ISV ${isvNo} (${r.merchants} merchant(s), ${r.apps} app(s), ${r.channels} channel(s) with it)`);
      }),
  );
}

function merchantCommands(merchants: Command, run: Run): void {
  leaf(merchants, 'create', 'create a merchant under an ISV (MCH_I + 9 digits), or import one with --mch-no')
    .requiredOption('--isv-no <isvNo>', 'the ISV')
    .requiredOption('--name <name>', 'merchant name')
    .option('--mch-no <mchNo>', 'an existing merchant number')
    .option('--rate-per-second <n>', 'calls per second for the merchant, or "default"', rate)
    .option('--app-rate-per-second <n>', 'calls per second for each of its apps, or "default"', rate)
    .action(
      (
        o: CliOptions & {
          isvNo: string;
          name: string;
          mchNo?: string;
          ratePerSecond?: number | string;
          appRatePerSecond?: number | string;
        },
        cmd: Command,
      ) =>
        run(cmd, o, async (ops) => {
          const m = await ops.createMerchant({
            isvNo: o.isvNo,
            name: o.name,
            ...(o.mchNo ? { mchNo: o.mchNo } : {}),
            ...(o.ratePerSecond !== undefined ? { ratePerSecond: rateValue(o.ratePerSecond) } : {}),
            ...(o.appRatePerSecond !== undefined ? { appRatePerSecond: rateValue(o.appRatePerSecond) } : {}),
          });
          output(o.json, m, () => formatMerchant(m));
        }),
    );
  deleteCommand(merchants, 'mchNo', 'delete a merchant', 'also delete its apps and channels').action(
    (mchNo: string, o: Deleting, cmd: Command) =>
      run(cmd, o, async (ops) => {
        confirmed(o, `merchant ${mchNo}`);
        const r = await ops.deleteMerchant(mchNo, o.cascade ?? false);
        output(o.json, r, () => `deleted merchant ${mchNo} (${r.apps} app(s), ${r.channels} channel(s) with it)`);
      }),
  );
  listOptions(leaf(merchants, 'list', 'list merchants; --search matches mchNo and name'))
    .option('--isv-no <isvNo>', 'only those of this ISV')
    .action((o: Listing & { isvNo?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.listMerchants({ ...pageOf(o), ...(o.isvNo ? { isvNo: o.isvNo } : {}) });
        output(o.json, r, () =>
          r.merchants.length
            ? table(
                ['MCH_NO', 'ISV_NO', 'NAME', 'STATUS'],
                r.merchants.map((m) => [m.mchNo, m.isvNo, m.name, m.status]),
              )
            : 'no merchants',
        );
      }),
    );
  leaf(merchants, 'show <mchNo>', 'show a merchant and its channels').action((mchNo: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const m = await ops.showMerchant(mchNo);
      output(o.json, m, () => formatMerchant(m));
    }),
  );
  leaf(merchants, 'set <mchNo>', "change a merchant's name or rate limits")
    .option('--name <name>', 'merchant name')
    .option('--rate-per-second <n>', 'calls per second for the merchant, or "default"', rate)
    .option('--app-rate-per-second <n>', 'calls per second for each of its apps, or "default"', rate)
    .action(
      (
        mchNo: string,
        o: CliOptions & { name?: string; ratePerSecond?: number | string; appRatePerSecond?: number | string },
        cmd: Command,
      ) =>
        run(cmd, o, async (ops) => {
          const changes = {
            ...(o.name !== undefined ? { name: o.name } : {}),
            ...(o.ratePerSecond !== undefined ? { ratePerSecond: rateValue(o.ratePerSecond) } : {}),
            ...(o.appRatePerSecond !== undefined ? { appRatePerSecond: rateValue(o.appRatePerSecond) } : {}),
          };
          if (Object.keys(changes).length === 0)
            throw new InvalidInput('options', 'nothing to change: give --name, --rate-per-second or --app-rate-per-second');
          const m = await ops.updateMerchant(mchNo, changes);
          output(o.json, m, () => formatMerchant(m));
        }),
    );
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(merchants, `${verb} <mchNo>`, `${verb} a merchant (its calls answer 403 while disabled)`).action(
      (mchNo: string, o: CliOptions, cmd: Command) =>
        run(cmd, o, async (ops) => {
          const m = await ops.updateMerchant(mchNo, { enabled });
          output(o.json, m, () => formatMerchant(m));
        }),
    );
  }
}

function channelCommands(channels: Command, run: Run): void {
  leaf(channels, 'set <mchNo> <wayCode>', "configure the merchant's WECHAT or UNIONPAY channel (options left out keep their value)")
    .option('--wechat-pay-mch-id <mchId>', 'WECHAT: the WeChat Pay merchant that pays (kaifang wechat pay-merchants)')
    .option('--sub-mch-id <subMchId>', 'WECHAT: the merchant\'s sub_mch_id, or "none"')
    .option('--sub-appid <subAppid>', 'WECHAT: the sub-merchant\'s official-account appid, or "none"')
    .option('--bridge-url <url>', 'UNIONPAY: the acquirer bridge URL')
    .option('--merchant-no <no>', "UNIONPAY: the merchant's number at the acquirer")
    .option('--secret <secret>', 'UNIONPAY: the bridge\'s HMAC key ("-" reads it from stdin)')
    .option('--enabled', 'switch the channel on')
    .option('--disabled', 'switch the channel off')
    .action(
      (
        mchNo: string,
        wayCode: string,
        o: CliOptions & {
          wechatPayMchId?: string;
          subMchId?: string;
          subAppid?: string;
          bridgeUrl?: string;
          merchantNo?: string;
          secret?: string;
          enabled?: boolean;
          disabled?: boolean;
        },
        cmd: Command,
      ) =>
        run(cmd, o, async (ops) => {
          const orNull = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);
          const input: ChannelInput = {
            ...(o.enabled ? { enabled: true } : o.disabled ? { enabled: false } : {}),
            ...(o.wechatPayMchId !== undefined ? { wechatPayMchId: o.wechatPayMchId } : {}),
            ...(o.subMchId !== undefined ? { subMchId: orNull(o.subMchId)! } : {}),
            ...(o.subAppid !== undefined ? { subAppid: orNull(o.subAppid)! } : {}),
            ...(o.bridgeUrl !== undefined ? { bridgeUrl: o.bridgeUrl } : {}),
            ...(o.merchantNo !== undefined ? { merchantNo: o.merchantNo } : {}),
            ...(o.secret !== undefined ? { secret: readSecret(o.secret, 'secret') } : {}),
          };
          const c = await ops.setChannel(mchNo, wayCode, input);
          output(o.json, c, () => formatChannel(c));
        }),
    );
  leaf(channels, 'list <mchNo>', "the merchant's channels").action((mchNo: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listChannels(mchNo);
      output(o.json, r, () => (r.channels.length ? r.channels.map(formatChannel).join('\n\n') : 'no channels'));
    }),
  );
  leaf(channels, 'remove <mchNo> <wayCode>', 'remove a channel (its calls get CHANNEL_NOT_CONFIGURED)').action(
    (mchNo: string, wayCode: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.removeChannel(mchNo, wayCode);
        output(o.json, r, () => `removed the ${wayCode} channel of ${mchNo}`);
      }),
  );
}

function appCommands(apps: Command, run: Run): void {
  leaf(apps, 'create', 'create an app of a merchant with a random 32-character secret (printed once)')
    .requiredOption('--mch-no <mchNo>', 'the merchant')
    .option('--name <name>', 'app name (default: the appId)')
    .action((o: CliOptions & { mchNo: string; name?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createApp({ mchNo: o.mchNo, ...(o.name ? { name: o.name } : {}) });
        output(o.json, a, () => formatApp(a));
      }),
    );
  leaf(apps, 'import', 'bring over an existing app with its appId and secret, as they are')
    .requiredOption('--app-id <appId>', 'the existing appId')
    .requiredOption('--mch-no <mchNo>', 'the merchant it belongs to')
    .requiredOption('--secret <secret>', 'the existing secret ("-" reads it from stdin)')
    .option('--name <name>', 'app name (default: the appId)')
    .action((o: CliOptions & { appId: string; mchNo: string; secret: string; name?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createApp({
          mchNo: o.mchNo,
          appId: o.appId,
          secret: readSecret(o.secret, 'secret'),
          ...(o.name ? { name: o.name } : {}),
        });
        const { secret: _secret, ...shown } = a; // the operator already holds it
        output(o.json, shown, () => formatApp(shown));
      }),
    );
  listOptions(leaf(apps, 'list', 'list apps; --search matches appId and name')).action((o: Listing, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listApps(pageOf(o));
      output(o.json, r, () =>
        r.apps.length
          ? table(
              ['APP_ID', 'MCH_NO', 'NAME', 'STATUS'],
              r.apps.map((a) => [a.appId, a.mchNo, a.name, a.status]),
            )
          : 'no apps',
      );
    }),
  );
  leaf(apps, 'show <appId>', 'show an app').action((appId: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showApp(appId);
      output(o.json, a, () => formatApp(a));
    }),
  );
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(apps, `${verb} <appId>`, `${verb} an app`).action((appId: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.updateApp(appId, { enabled });
        output(o.json, a, () => formatApp(a));
      }),
    );
  }
  leaf(apps, 'rotate-secret <appId>', 'give the app a new random secret (printed once); the old one stops working')
    .option('--secret <secret>', 'deprecated: use set-secret')
    .action((appId: string, o: CliOptions & { secret?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.rotateAppSecret(appId, o.secret === undefined ? undefined : readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatApp(a));
      }),
    );
  leaf(apps, 'set-secret <appId>', "set the app's secret to the one given; the old one stops working")
    .requiredOption('--secret <secret>', 'the new secret ("-" reads it from stdin)')
    .action((appId: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setAppSecret(appId, readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatApp(a));
      }),
    );
  deleteCommand(apps, 'appId', 'delete an app').action((appId: string, o: Deleting, cmd: Command) =>
    run(cmd, o, async (ops) => {
      confirmed(o, `app ${appId}`);
      const r = await ops.deleteApp(appId);
      output(o.json, r, () => `deleted app ${appId}`);
    }),
  );
}

/** A signed `auth2OpenId` JSON body with the app's stored secret. */
export async function signedRequest(s: JucaiServices, appId: string, fields: Record<string, string>): Promise<Record<string, string>> {
  const app = await s.apps.findForSigning(appId);
  if (!app) throw new InvalidInput('appId', `no app ${appId}`);
  return { ...fields, appId, sign: jucai.sign({ ...fields, appId }, app.secret) };
}

/** Adds `isvs`, `merchants`, `channels`, `apps` and `sign` to `kaifang jucai`. */
export function jucaiCli(jc: Command, runner: CliRunner<JucaiServices>): void {
  const run: Run = (command, options, body) => runner(command, options, (s) => body(jucaiOperations(s), s));
  isvCommands(jc.command('isvs').description('ISVs (服务商), whose numbers are the orgId of replies'), run);
  merchantCommands(jc.command('merchants').description('merchants (mchNo), under an ISV, with their rate limits'), run);
  channelCommands(jc.command('channels').description("a merchant's WECHAT and UNIONPAY channels"), run);
  appCommands(jc.command('apps').description('apps (appId + secret) of a merchant'), run);
  leaf(jc, 'sign <appId> [fields...]', 'print a signed auth2OpenId JSON body (fields as name=value), to paste into curl -d').action(
    (appId: string, fields: string[], o: CliOptions, cmd: Command) =>
      run(cmd, o, async (_ops, s) => {
        const given: Record<string, string> = {};
        for (const f of fields) {
          const eq = f.indexOf('=');
          if (eq <= 0) throw new InvalidInput('fields', `"${f}" is not name=value`);
          given[f.slice(0, eq)] = f.slice(eq + 1);
        }
        const body = await signedRequest(s, appId, given);
        output(o.json, body, () => JSON.stringify(body));
      }),
  );
}
