import type { Command } from 'commander';
import { InvalidInput } from '../../../kernel/errors.ts';
import type { GatewayMethodChanges, NewGatewayMethod } from '../domain/gatewayMethods.ts';
import {
  choice,
  confirmed,
  deleteCommand,
  leaf,
  listOptions,
  output,
  pageOf,
  readSecret,
  wholeNumber,
  wholeNumberOr,
  type CliOptions,
  type CliRunner,
} from '../../kit/cli.ts';
import { formatGrants, formatKey, formatKeyList, formatMethod, formatMethodList } from '../format.ts';
import { opretailOperations, type KeyChangesInput, type KeyInput, type OpretailOperations } from './operations.ts';
import type { OpretailServices } from '../services.ts';

/**
 * `kaifang opretail keys …` and `kaifang opretail methods …`: the same operations as the admin API
 * (operations.ts), run directly against the store, so they also work when no server is running.
 * Every command takes --json and --data-dir.
 */

type Common = CliOptions;
type Run = (command: Command, options: Common, body: (ops: OpretailOperations) => Promise<void>) => Promise<void>;

/**
 * `none` clears a nullable setting (back to the deployment default) and `--expire never` removes
 * the expiry. Parsers keep these words; `fields` maps them to null.
 */
const CLEAR = new Set(['none', 'never']);
const int = wholeNumber;
const intOrNone = wholeNumberOr('none');
const keytype = choice('--keytype', { '1': 1, formal: 1, '2': 2, test: 2 } as Record<string, 1 | 2>);
const developerType = choice('--developer-type', { '1': 1, administrator: 1, '2': 2, normal: 2, '3': 3, vendor: 3 } as Record<
  string,
  1 | 2 | 3
>);

/** The given options among `names`, with `none`/`never` of a nullable one as null. */
function fields(options: object, names: readonly string[], nullable: readonly string[]): Record<string, unknown> {
  const o = options as Record<string, unknown>;
  const given = names.filter((n) => o[n] !== undefined);
  return Object.fromEntries(given.map((n) => [n, nullable.includes(n) && CLEAR.has(String(o[n])) ? null : o[n]]));
}

/** The key fields of create/import/set, from their options. */
function keyFields(options: object): KeyChangesInput {
  const nullable = ['expire', 'shopwebEnterpriseId', 'supplierAccount', 'ratePerSecond', 'ratePerDay'];
  return fields(options, ['username', 'enterpriseId', 'keytype', 'developerType', ...nullable], nullable) as KeyChangesInput;
}

function keyOptions(cmd: Command, creating: boolean): Command {
  if (creating) {
    cmd.requiredOption('--username <name>', 'developer name').requiredOption('--enterprise-id <id>', 'enterprise id (orgid)', int);
    cmd.option('--application-id <aid>', "the key's _aid (default: this deployment's, KAIFANG_OPRETAIL_AID)");
  } else {
    cmd.option('--username <name>', 'developer name').option('--enterprise-id <id>', 'enterprise id (orgid)', int);
  }
  return cmd
    .option('--keytype <type>', 'formal (1) or test (2)', keytype)
    .option('--expire <time>', 'expiry, CST "yyyy-MM-dd HH:mm:ss", or "never"')
    .option('--shopweb-enterprise-id <id>', 'business-platform enterprise id, or "none"', intOrNone)
    .option('--developer-type <type>', 'administrator (1, every method), normal (2) or vendor (3)', developerType)
    .option('--supplier-account <account>', 'supplier account, or "none"')
    .option('--rate-per-second <n>', 'own calls-per-second limit, or "none" for the default', intOrNone)
    .option('--rate-per-day <n>', 'own calls-per-day limit (CST day), or "none" for the default', intOrNone);
}

function methodOptions(cmd: Command, creating: boolean): Command {
  if (creating) cmd.requiredOption('--url <url>', 'upstream URL the gateway POSTs the business parameters to');
  else cmd.option('--url <url>', 'upstream URL');
  return cmd
    .option('--test-url <url>', 'URL for test keys and environment: test|dev, or "none"')
    .option('--timeout-ms <ms>', 'upstream timeout, or "none" for the default', intOrNone)
    .option('--rate-per-second <n>', 'calls per second per key, or "none"', intOrNone)
    .option('--rate-per-day <n>', 'calls per CST day per key, or "none"', intOrNone)
    .option('--description <text>', 'what it does, or "none"');
}

function methodFields(options: object): GatewayMethodChanges {
  const nullable = ['testUrl', 'timeoutMs', 'ratePerSecond', 'ratePerDay', 'description'];
  return fields(options, ['url', ...nullable], nullable) as GatewayMethodChanges;
}

function nothingToChange(fields: object, what: string): void {
  if (Object.keys(fields).length === 0)
    throw new InvalidInput('options', `nothing to change: give at least one option (see kaifang opretail ${what} --help)`);
}

// ---- the commands

/** Adds `keys` and `methods` to `kaifang opretail`. */
export function opretailCli(opretail: Command, runner: CliRunner<OpretailServices>): void {
  const run: Run = (command, options, body) => runner(command, options, (services) => body(opretailOperations(services)));
  keysCommands(opretail.command('keys').description('developer keys (applicationKey / applicationSecret) and their method grants'), run);
  methodsCommands(opretail.command('methods').description('methods (_mt + _version) forwarded to upstream HTTP services'), run);
}

function keysCommands(keys: Command, run: Run): void {
  keyOptions(leaf(keys, 'create', 'issue a new key; prints its secret once'), true).action(async (o: Common & KeyInput, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const key = await ops.createKey({ ...keyFields(o), ...(o.applicationId ? { applicationId: o.applicationId } : {}) } as KeyInput);
      output(o.json, key, () => formatKey(key));
    }),
  );

  keyOptions(leaf(keys, 'import', 'bring over an existing key and secret (moving developers from another gateway)'), true)
    .requiredOption('--key <applicationKey>', 'the existing applicationKey')
    .requiredOption('--secret <applicationSecret>', 'the existing applicationSecret, or "-" to read it from stdin')
    .action(async (o: Common & KeyInput & { key: string; secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const input = { ...keyFields(o), applicationKey: o.key, applicationSecret: readSecret(o.secret, 'applicationSecret') } as KeyInput;
        if (o.applicationId) input.applicationId = o.applicationId;
        const key = await ops.createKey(input);
        output(o.json, key, () => formatKey(key));
      }),
    );

  listOptions(leaf(keys, 'list', 'list keys (never their secrets); --search matches key, username, applicationId, supplier')).action(
    async (o: Common & { limit: number; offset: number; search?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const page = await ops.listKeys(pageOf(o));
        output(o.json, page, () => formatKeyList(page));
      }),
  );

  leaf(keys, 'show <akey>', 'show one key').action(async (akey: string, o: Common, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const key = await ops.showKey(akey);
      output(o.json, key, () => formatKey(key));
    }),
  );

  keyOptions(leaf(keys, 'set <akey>', 'change fields of a key'), false).action(
    async (akey: string, o: Common & Record<string, unknown>, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const changes = keyFields(o);
        nothingToChange(changes, 'keys set');
        const key = await ops.updateKey(akey, changes);
        output(o.json, key, () => formatKey(key));
      }),
  );

  for (const [name, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    leaf(
      keys,
      `${name} <akey>`,
      enabled ? 'switch a key on (switchStatus 1)' : 'switch a key off (switchStatus 2): its calls get KEY_UNLAWFUL',
    ).action(async (akey: string, o: Common, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const key = await ops.setKeyEnabled(akey, enabled);
        output(o.json, key, () => formatKey(key));
      }),
    );
  }

  leaf(keys, 'expire <akey>', 'expire a key now, at --at, or never (--never)')
    .option('--at <time>', 'CST "yyyy-MM-dd HH:mm:ss" instead of now')
    .option('--never', 'remove the expiry instead')
    .action(async (akey: string, o: Common & { at?: string; never?: boolean }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        if (o.at !== undefined && o.never) throw new InvalidInput('at', 'give --at or --never, not both');
        const key = await ops.expireKey(akey, o.never ? null : o.at);
        output(o.json, key, () => formatKey(key));
      }),
    );

  leaf(keys, 'rotate-secret <akey>', 'replace the secret with a new random one; prints it once')
    .option('--secret <secret>', 'deprecated: use set-secret')
    .action(async (akey: string, o: Common & { secret?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const key = await ops.rotateSecret(akey, o.secret === undefined ? undefined : readSecret(o.secret, 'secret'));
        output(o.json, key, () => formatKey(key));
      }),
    );

  leaf(keys, 'set-secret <akey>', 'replace the secret with the one given')
    .requiredOption('--secret <secret>', 'the new secret ("-" reads it from stdin)')
    .action(async (akey: string, o: Common & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const key = await ops.setSecret(akey, readSecret(o.secret, 'secret'));
        output(o.json, key, () => formatKey(key));
      }),
    );

  deleteCommand(keys, 'akey', 'delete a key and its grants').action(async (akey: string, o: Common & { yes?: boolean }, cmd: Command) =>
    run(cmd, o, async (ops) => {
      confirmed(o, `key ${akey}`);
      const deleted = await ops.deleteKey(akey);
      output(o.json, deleted, () => `deleted key ${akey} and its ${deleted.grants} grant(s)`);
    }),
  );

  leaf(keys, 'grant <akey> <method> <version>', 'allow a key to call a registered method').action(
    async (akey: string, method: string, version: string, o: Common, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const grants = await ops.grant(akey, method, version);
        output(o.json, grants, () => formatGrants(grants));
      }),
  );

  leaf(keys, 'revoke <akey> <method> <version>', 'take a method back from a key').action(
    async (akey: string, method: string, version: string, o: Common, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const grants = await ops.revoke(akey, method, version);
        output(o.json, grants, () => formatGrants(grants));
      }),
  );

  leaf(keys, 'grants <akey>', 'the methods a key may call').action(async (akey: string, o: Common, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const grants = await ops.grantsOf(akey);
      output(o.json, grants, () => formatGrants(grants));
    }),
  );
}

function methodsCommands(methods: Command, run: Run): void {
  methodOptions(leaf(methods, 'create <name> <version>', 'register a method: _mt + _version forwarded to --url'), true).action(
    async (name: string, version: string, o: Common & Record<string, unknown>, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const method = await ops.createMethod({ name, version, ...methodFields(o) } as NewGatewayMethod);
        output(o.json, method, () => formatMethod(method));
      }),
  );

  listOptions(leaf(methods, 'list', 'list the registered methods; --search matches name and URL')).action(
    async (o: Common & { limit: number; offset: number; search?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const list = await ops.listMethods(pageOf(o));
        output(o.json, list, () => formatMethodList(list.methods));
      }),
  );

  leaf(methods, 'show <name> <version>', 'show one method').action(async (name: string, version: string, o: Common, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const method = await ops.showMethod(name, version);
      output(o.json, method, () => formatMethod(method));
    }),
  );

  methodOptions(leaf(methods, 'update <name> <version>', 'change a method'), false).action(
    async (name: string, version: string, o: Common & Record<string, unknown>, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const changes = methodFields(o);
        nothingToChange(changes, 'methods update');
        const method = await ops.updateMethod(name, version, changes);
        output(o.json, method, () => formatMethod(method));
      }),
  );

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    leaf(methods, `${verb} <name> <version>`, enabled ? 'enable a method' : 'disable a method: calls get METHOD_NOTEXIST_CODE').action(
      async (name: string, version: string, o: Common, cmd: Command) =>
        run(cmd, o, async (ops) => {
          const method = await ops.setMethodEnabled(name, version, enabled);
          output(o.json, method, () => formatMethod(method));
        }),
    );
  }
}
