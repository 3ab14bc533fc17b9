import { InvalidArgumentError, type Command } from 'commander';
import { InvalidInput } from '../../../kernel/errors.ts';
import { storepos } from '../signing.ts';
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
  type CliOptions,
  type CliRunner,
} from '../../kit/cli.ts';
import { storeposOperations, type StoreposOperations } from './operations.ts';
import type { AgentView } from './present.ts';
import type { StoreposServices } from '../services.ts';

/**
 * `kaifang storepos agents …` and `kaifang storepos sign …`: the admin API's operations run
 * directly against the store (they work with no server running). Every command takes --json and
 * --data-dir. Mini-programs are the platform's WeChat apps: `kaifang wechat miniapps …`.
 */

type Run = (command: Command, options: CliOptions, body: (ops: StoreposOperations, s: StoreposServices) => Promise<void>) => Promise<void>;

const capValue = (value: string): number | null => {
  if (value === 'default' || value === 'none') return null;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError(`must be a whole number or "default", got "${value}"`);
  return Number(value);
};

function formatAgent(a: AgentView): string {
  const out = lines([
    ['agentId', a.agentId],
    ...(a.secret !== undefined ? ([['secret', a.secret]] as [string, unknown][]) : []),
    ['name', a.name],
    ['status', a.status],
    ['smsDailyCap', a.smsDailyCap ?? 'default'],
    ...(a.appids ? ([['mini-programs', a.appids.length ? a.appids.join(', ') : '(none)']] as [string, unknown][]) : []),
  ]);
  return a.secret !== undefined ? `${out}\n\n${SHOWN_ONCE} Give it to the agent over a safe channel.` : out;
}

function formatAgentList(agents: AgentView[]): string {
  if (agents.length === 0) return 'no agents';
  return table(
    ['AGENT_ID', 'NAME', 'STATUS', 'SMS/DAY'],
    agents.map((a) => [a.agentId, a.name, a.status, a.smsDailyCap ?? 'default']),
  );
}

function agentCommands(agents: Command, run: Run): void {
  leaf(agents, 'create', 'create an agent with a new 17-digit agent_id and a random 32-character key')
    .requiredOption('--name <name>', 'agent name')
    .option('--sms-daily-cap <n>', 'SMS codes per CST day ("default" = KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY)', capValue)
    .action((o: CliOptions & { name: string; smsDailyCap?: number | null }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const agent = await ops.createAgent({ name: o.name, ...(o.smsDailyCap !== undefined ? { smsDailyCap: o.smsDailyCap } : {}) });
        output(o.json, agent, () => formatAgent(agent));
      }),
    );
  leaf(agents, 'import', 'import an agent from the original platform with its agent_id and key')
    .requiredOption('--agent-id <id>', 'the agent number')
    .requiredOption('--key <key>', 'the agent key ("-" reads it from stdin)')
    .requiredOption('--name <name>', 'agent name')
    .option('--sms-daily-cap <n>', 'SMS codes per CST day ("default" = the deployment default)', capValue)
    .action((o: CliOptions & { agentId: string; key: string; name: string; smsDailyCap?: number | null }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const key = readSecret(o.key, 'key');
        const agent = await ops.createAgent({
          agentId: o.agentId,
          key,
          name: o.name,
          ...(o.smsDailyCap !== undefined ? { smsDailyCap: o.smsDailyCap } : {}),
        });
        const { secret: _secret, ...shown } = agent; // the operator already holds an imported key
        output(o.json, shown, () => formatAgent(shown));
      }),
    );
  listOptions(leaf(agents, 'list', 'list agents; --search matches agent_id and name')).action(
    (o: CliOptions & { limit?: number; offset?: number; search?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.listAgents(pageOf(o));
        output(o.json, r, () => formatAgentList(r.agents));
      }),
  );
  leaf(agents, 'show <agentId>', 'show an agent and its mini-programs').action((agentId: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showAgent(agentId);
      output(o.json, a, () => formatAgent(a));
    }),
  );
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(agents, `${name} <agentId>`, `${name} an agent (other processes see it within KAIFANG_CACHE_TTL_MS)`).action(
      (agentId: string, o: CliOptions, cmd: Command) =>
        run(cmd, o, async (ops) => {
          const a = await ops.setAgentEnabled(agentId, enabled);
          output(o.json, a, () => formatAgent(a));
        }),
    );
  }
  for (const verb of ['rotate-secret', 'rotate-key'] as const) {
    leaf(
      agents,
      `${verb} <agentId>`,
      verb === 'rotate-secret'
        ? 'give the agent a new random key (printed once); the old one stops working'
        : 'deprecated: rotate-secret, or set-secret with --key',
    )
      .option('--key <key>', 'deprecated: use set-secret')
      .action((agentId: string, o: CliOptions & { key?: string }, cmd: Command) =>
        run(cmd, o, async (ops) => {
          const a = await ops.rotateSecret(agentId, o.key === undefined ? undefined : readSecret(o.key, 'key'));
          output(o.json, a, () => formatAgent(a));
        }),
      );
  }
  leaf(agents, 'set-secret <agentId>', "set the agent's key to the one given; the old one stops working")
    .requiredOption('--secret <secret>', 'the new key ("-" reads it from stdin)')
    .action((agentId: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setSecret(agentId, readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatAgent(a));
      }),
    );
  deleteCommand(agents, 'agentId', 'delete an agent and its mini-program grants').action(
    (agentId: string, o: CliOptions & { yes?: boolean }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        confirmed(o, `agent ${agentId}`);
        const r = await ops.deleteAgent(agentId);
        output(o.json, r, () => `deleted agent ${agentId} and its ${r.grants} mini-program grant(s)`);
      }),
  );
  leaf(agents, 'set-sms-cap <agentId> <cap>', 'set the agent\'s SMS codes per CST day (a number, or "default")').action(
    (agentId: string, cap: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        let value: number | null;
        try {
          value = capValue(cap);
        } catch (err) {
          throw new InvalidInput('cap', `cap ${(err as Error).message}`);
        }
        const a = await ops.updateAgent(agentId, { smsDailyCap: value });
        output(o.json, a, () => formatAgent(a));
      }),
  );
  for (const [verb, what] of [
    ['grant', 'let the agent log users in to a mini-program'],
    ['revoke', 'withdraw a mini-program from the agent'],
  ] as const) {
    leaf(agents, `${verb} <agentId> <appid>`, what).action((agentId: string, appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops[verb](agentId, appid);
        output(o.json, a, () => formatAgent(a));
      }),
    );
  }
}

/** The form body of a signed storepos request with the agent's stored key. */
export async function signedBody(s: StoreposServices, agentId: string, params: Record<string, string>): Promise<string> {
  const agent = await s.agents.findForSigning(agentId);
  if (!agent) throw new InvalidInput('agentId', `no agent ${agentId}`);
  const all = { agent_id: agentId, pid: 'kaifang-cli', version: '1.0', ...params };
  return new URLSearchParams({ ...all, sign: storepos.sign(all, agent.key) }).toString();
}

/** Adds `agents` and `sign` to `kaifang storepos`. */
export function storeposCli(sp: Command, runner: CliRunner<StoreposServices>): void {
  const run: Run = (command, options, body) => runner(command, options, (s) => body(storeposOperations(s), s));
  agentCommands(sp.command('agents').description('agents (agent_id + key), their SMS caps and mini-program grants'), run);
  leaf(sp, 'sign <agentId> [params...]', 'print the signed form body of a request (params as name=value), to paste into curl -d').action(
    (agentId: string, params: string[], o: CliOptions, cmd: Command) =>
      run(cmd, o, async (_ops, s) => {
        const fields: Record<string, string> = {};
        for (const p of params) {
          const eq = p.indexOf('=');
          if (eq <= 0) throw new InvalidInput('params', `"${p}" is not name=value`);
          fields[p.slice(0, eq)] = p.slice(eq + 1);
        }
        const body = await signedBody(s, agentId, fields);
        output(o.json, Object.fromEntries(new URLSearchParams(body)), () => body);
      }),
  );
}
