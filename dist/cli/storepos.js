import { InvalidArgumentError } from 'commander';
import { InvalidInput, NotFound } from '../core/errors.js';
import { storepos } from '../core/signing.js';
import { randomHex, randomString } from '../core/random.js';
import { storeposOperations } from '../server/admin/storeposOperations.js';
import { fail, leaf, output, secretValue, withKaifang } from './context.js';
import { demoSeeders } from './serve.js';
const capValue = (value) => {
    if (value === 'default' || value === 'none')
        return null;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw new InvalidArgumentError(`must be a whole number or "default", got "${value}"`);
    return Number(value);
};
async function run(options, body) {
    try {
        await withKaifang(options, (k) => body(storeposOperations(k), k));
    }
    catch (err) {
        fail(err);
    }
}
function formatAgent(a) {
    const lines = [
        `agent ${a.agentId}  ${a.name}  (${a.status})`,
        `  SMS per day: ${a.smsDailyCap ?? 'deployment default'}`,
        ...(a.appids ? [`  mini-programs: ${a.appids.length ? a.appids.join(', ') : '(none)'}`] : []),
    ];
    if (a.key !== undefined)
        lines.push(`  key: ${a.key}`, '  (the key is shown only now; give it to the agent over a safe channel)');
    return lines.join('\n');
}
const formatApp = (a) => `mini-program ${a.appid}  ${a.name}  (${a.status})`;
function agentCommands(agents) {
    leaf(agents, 'create', 'create an agent with a new 17-digit agent_id and a random 32-character key')
        .requiredOption('--name <name>', 'agent name')
        .option('--sms-daily-cap <n>', 'SMS codes per CST day ("default" = KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY)', capValue)
        .action((o) => run(o, async (ops) => {
        const a = await ops.createAgent({ name: o.name, ...(o.smsDailyCap !== undefined ? { smsDailyCap: o.smsDailyCap } : {}) });
        output(o.json, a, () => formatAgent(a));
    }));
    leaf(agents, 'import', 'import an agent from the original platform with its agent_id and key')
        .requiredOption('--agent-id <id>', 'the agent number')
        .requiredOption('--key <key>', 'the agent key ("-" reads it from stdin)', secretValue('key'))
        .requiredOption('--name <name>', 'agent name')
        .option('--sms-daily-cap <n>', 'SMS codes per CST day ("default" = the deployment default)', capValue)
        .action((o) => run(o, async (ops) => {
        const a = await ops.createAgent({ agentId: o.agentId, key: o.key, name: o.name, ...(o.smsDailyCap !== undefined ? { smsDailyCap: o.smsDailyCap } : {}) });
        const { key: _key, ...shown } = a; // the operator already holds an imported key
        output(o.json, shown, () => formatAgent(shown));
    }));
    leaf(agents, 'list', 'list agents')
        .option('--limit <n>', 'at most this many', (v) => capValue(v) ?? 100)
        .option('--offset <n>', 'skip this many', (v) => capValue(v) ?? 0)
        .action((o) => run(o, async (ops) => {
        const r = await ops.listAgents(o.limit, o.offset);
        output(o.json, r, () => (r.agents.length ? r.agents.map(formatAgent).join('\n') : 'no agents'));
    }));
    leaf(agents, 'show <agentId>', 'show an agent and its mini-programs').action((agentId, o) => run(o, async (ops) => {
        const a = await ops.showAgent(agentId);
        output(o.json, a, () => formatAgent(a));
    }));
    for (const [name, enabled] of [['enable', true], ['disable', false]]) {
        leaf(agents, `${name} <agentId>`, `${name} an agent (other processes see it within KAIFANG_CACHE_TTL_MS)`).action((agentId, o) => run(o, async (ops) => {
            const a = await ops.setAgentEnabled(agentId, enabled);
            output(o.json, a, () => formatAgent(a));
        }));
    }
    leaf(agents, 'rotate-key <agentId>', 'give the agent a new key (printed once); the old one stops working')
        .option('--key <key>', 'set this key instead of a random one ("-" reads it from stdin)', secretValue('key'))
        .action((agentId, o) => run(o, async (ops) => {
        const a = await ops.rotateKey(agentId, o.key);
        output(o.json, a, () => formatAgent(a));
    }));
    leaf(agents, 'set-sms-cap <agentId> <cap>', 'set the agent\'s SMS codes per CST day (a number, or "default")').action((agentId, cap, o) => run(o, async (ops) => {
        let value;
        try {
            value = capValue(cap);
        }
        catch (err) {
            throw new InvalidInput('cap', `cap ${err.message}`);
        }
        const a = await ops.updateAgent(agentId, { smsDailyCap: value });
        output(o.json, a, () => formatAgent(a));
    }));
    leaf(agents, 'grant <agentId> <appid>', 'let the agent log users in to a mini-program').action((agentId, appid, o) => run(o, async (ops) => {
        const a = await ops.grant(agentId, appid);
        output(o.json, a, () => formatAgent(a));
    }));
    leaf(agents, 'revoke <agentId> <appid>', 'withdraw a mini-program from the agent').action((agentId, appid, o) => run(o, async (ops) => {
        const a = await ops.revoke(agentId, appid);
        output(o.json, a, () => formatAgent(a));
    }));
}
function miniappCommands(miniapps) {
    leaf(miniapps, 'create', 'register a mini-program and its AppSecret (stored encrypted)')
        .requiredOption('--appid <appid>', 'the mini-program appid (wx…)')
        .requiredOption('--secret <secret>', 'its AppSecret ("-" reads it from stdin)', secretValue('secret'))
        .option('--name <name>', 'a name for operators (default: the appid)')
        .action((o) => run(o, async (ops) => {
        const a = await ops.createMiniapp({ appid: o.appid, secret: o.secret, ...(o.name !== undefined ? { name: o.name } : {}) });
        output(o.json, a, () => formatApp(a));
    }));
    leaf(miniapps, 'list', 'list mini-programs').action((o) => run(o, async (ops) => {
        const r = await ops.listMiniapps();
        output(o.json, r, () => (r.miniapps.length ? r.miniapps.map(formatApp).join('\n') : 'no mini-programs'));
    }));
    leaf(miniapps, 'show <appid>', 'show a mini-program').action((appid, o) => run(o, async (ops) => {
        const a = await ops.showMiniapp(appid);
        output(o.json, a, () => formatApp(a));
    }));
    leaf(miniapps, 'set-secret <appid>', 'replace the AppSecret (after resetting it on mp.weixin.qq.com)')
        .requiredOption('--secret <secret>', 'the new AppSecret ("-" reads it from stdin)', secretValue('secret'))
        .action((appid, o) => run(o, async (ops) => {
        const a = await ops.setMiniappSecret(appid, o.secret);
        output(o.json, a, () => formatApp(a));
    }));
    for (const [name, enabled] of [['enable', true], ['disable', false]]) {
        leaf(miniapps, `${name} <appid>`, `${name} a mini-program for every agent`).action((appid, o) => run(o, async (ops) => {
            const a = await ops.setMiniappEnabled(appid, enabled);
            output(o.json, a, () => formatApp(a));
        }));
    }
}
/** The form body of a signed storepos request with the agent's stored key. */
export async function signedBody(k, agentId, params) {
    const agent = await k.storepos.agents.findForSigning(agentId);
    if (!agent)
        throw new NotFound('agent', `no agent ${agentId}`);
    const all = { agent_id: agentId, pid: 'kaifang-cli', version: '1.0', ...params };
    return new URLSearchParams({ ...all, sign: storepos.sign(all, agent.key) }).toString();
}
export function storeposCommand(program) {
    const sp = program.command('storepos').description('超赢 (storepos) agent API: agents and their mini-program grants');
    agentCommands(sp.command('agents').description('agents (agent_id + key), their SMS caps and mini-program grants'));
    leaf(sp, 'sign <agentId> [params...]', 'print the signed form body of a request (params as name=value), to paste into curl -d')
        .action((agentId, params, o) => run(o, async (_ops, k) => {
        const fields = {};
        for (const p of params) {
            const eq = p.indexOf('=');
            if (eq <= 0)
                throw new InvalidInput('params', `"${p}" is not name=value`);
            fields[p.slice(0, eq)] = p.slice(eq + 1);
        }
        const body = await signedBody(k, agentId, fields);
        output(o.json, Object.fromEntries(new URLSearchParams(body)), () => body);
    }));
    const wechat = program.command('wechat').description('WeChat resources the platform holds for its partners');
    miniappCommands(wechat.command('miniapps').description('mini-programs (appid + AppSecret) used by storepos WXA_Code2Session'));
}
// ---- serve --demo
const DEMO_AGENT = '13000000000000000'; // the seed's example agent_id
const DEMO_APPID = 'wx4da448cd29920000'; // the seed's example appid
const DEMO_MOBILE = '13800000000';
/** Seeds the demo agent and mini-program (once) and prints signed requests for the three endpoints. */
export async function storeposDemo(k, baseUrl) {
    const s = k.storepos;
    if (!(await s.agents.findForSigning(DEMO_AGENT))) {
        await s.agents.create({ agentId: DEMO_AGENT, name: 'demo agent', key: randomString(32) });
    }
    try {
        await s.miniPrograms.get(DEMO_APPID);
    }
    catch (err) {
        if (!(err instanceof NotFound))
            throw err;
        await s.miniPrograms.create({ appid: DEMO_APPID, secret: randomHex(16), name: 'demo mini-program' });
    }
    const agent = await s.agents.get(DEMO_AGENT);
    await s.miniPrograms.grant(agent.id, DEMO_APPID);
    const curl = async (path, params) => `curl -s -X POST ${baseUrl}${path} -d '${await signedBody(k, DEMO_AGENT, params)}'`;
    const token = k.bootstrap.adminTokenSource === 'KAIFANG_ADMIN_TOKEN' ? '$KAIFANG_ADMIN_TOKEN' : `$(cat ${k.bootstrap.adminTokenSource})`;
    const dataDir = k.config.dataDir === './data' ? '' : ` --data-dir ${k.config.dataDir}`;
    return [
        '',
        `storepos (超赢) demo: agent_id ${DEMO_AGENT}, mini-program ${DEMO_APPID} (sandbox upstreams)`,
        '  1. send an SMS code:',
        `     ${await curl('/Mch/GetMchSMSValid', { mobile: DEMO_MOBILE })}`,
        '  2. read it from the sandbox outbox:',
        `     curl -s -H "Authorization: Bearer ${token}" '${baseUrl}/admin/api/sandbox/sms?mobile=${DEMO_MOBILE}'`,
        '  3. check it (put the 6 digits in place of CODE; the body is re-signed for you):',
        `     curl -s -X POST ${baseUrl}/Mch/CheckMchSMSValid -d "$(npx kaifang storepos sign ${DEMO_AGENT} mobile=${DEMO_MOBILE} valid_code=CODE${dataDir})"`,
        '  4. mini-program login (sandbox js_code "sandbox-<user>-<anything unique>"; each works once):',
        `     ${await curl('/Open/WXA_Code2Session', { appid: DEMO_APPID, js_code: `sandbox-alice-${randomHex(4)}` })}`,
    ].join('\n');
}
demoSeeders.push(storeposDemo);
