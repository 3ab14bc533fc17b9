/**
 * The 巨彩 benchmark (issue 10, "Performance"), same method as the gateway's (bench/opretail.ts):
 * a signed `POST /pay/api/1.0/auth2OpenId` that is an idempotent repeat (the same mchNo, mchOrderNo
 * and authCode as an answered call: the stored answer, no channel call) against a bare Fastify route
 * that parses the same JSON and computes one MD5 (bench/baseline-server.ts), on the embedded default;
 * then the full path, every request a new order with a new payment code, through the WeChat Pay
 * adapter to the sandbox simulator served by the same process (reported, no target: its CPU per call
 * includes the simulator's).
 *
 *   npm run bench:jucai     (wrk must be installed: Debian `apt-get install wrk`)
 *
 * Seeding goes through the admin API: an ISV, a merchant, an app, a WeChat Pay merchant and the
 * merchant's WECHAT channel. Rate limits stay on (counted on every call), set to 1,000,000 a second
 * so that they do not refuse the load. Settings: BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CONNECTIONS, BENCH_VARIANTS, BENCH_NODE_ARGS, BENCH_RESULTS_FILE, BENCH_JSON_FILE (as
 * bench/opretail.ts); BENCH_FULL_MAX_RPS (default 8,000) sizes each full-path file of fresh orders;
 * BENCH_FULL=0 leaves the full path out (to profile the repeat alone with BENCH_NODE_ARGS=--cpu-prof).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jucai } from '../signing.ts';
import { SANDBOX_WECHATPAY_KEY } from '../../../upstream/wechatpay.ts';
import {
  abRows,
  BASELINE_ARGS,
  baselineCounter,
  brief,
  buildRoot,
  kaifangCounter,
  measure,
  measureProcess,
  mediansSection,
  requireWrk,
  ROOT,
  rotation,
  ROUND_HEADER,
  roundRows,
  startKaifang,
  stopProcess,
  summary,
  table,
  variantsFromEnv,
  writeRequests,
  type Measured,
  type Round,
  type RunPlan,
  machineLine,
} from '../../../../bench/harness.ts';
import { knobsFromEnv } from '../../../../bench/scenarios.ts';

requireWrk();
const knobs = knobsFromEnv();
const fullMaxRps = Number(process.env.BENCH_FULL_MAX_RPS ?? 8000);
const withFull = process.env.BENCH_FULL !== '0';
const variants = variantsFromEnv();
const log = (line: string) => process.stdout.write(line + '\n');
const ADMIN = 'bench-admin-token-0123456789';
const PATH = '/pay/api/1.0/auth2OpenId';
const ISV = 'ISV_I232767463';
const MCH = 'MCH_I293975931';
const APP = 'MCH_A698612520';
const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-bench-jucai-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KAIFANG_DATA_DIR: dataDir,
  KAIFANG_MASTER_KEY: 'c'.repeat(64),
  KAIFANG_ADMIN_TOKEN: ADMIN,
  KAIFANG_JUCAI_MCH_RATE_PER_SECOND: '1000000',
  KAIFANG_JUCAI_APP_RATE_PER_SECOND: '1000000',
  DATABASE_URL: '',
  REDIS_URL: '',
};

async function admin(url: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** A WeChat payment code the sandbox answers with a payer (18 digits from 13, none of the reserved ones). */
const paymentCode = () => `13${(randomBytes(8).readBigUInt64BE() % 10n ** 16n).toString().padStart(16, '0')}`;
let secret = '';
function signedBody(mchOrderNo: string, authCode: string): string {
  const fields: Record<string, string> = {
    version: '1.0',
    termId: '88888888',
    mchNo: MCH,
    appId: APP,
    mchOrderNo,
    wayCode: 'WECHAT',
    authCode,
    clientIp: '127.0.0.1',
  };
  return JSON.stringify({ ...fields, sign: jucai.sign(fields, secret) });
}

if (variants.some((v) => v.name === 'kaifang')) buildRoot();
const seeder = await startKaifang(variants[0]!, [], env);
const repeat = { mchOrderNo: 'BENCHREPEAT0001', authCode: paymentCode() };
try {
  await admin(`${seeder.url}/admin/api/jucai/isvs`, { name: 'bench ISV', isvNo: ISV });
  await admin(`${seeder.url}/admin/api/jucai/merchants`, { isvNo: ISV, name: 'bench merchant', mchNo: MCH });
  secret = String((await admin(`${seeder.url}/admin/api/jucai/apps`, { mchNo: MCH, appId: APP, name: 'bench app' })).secret);
  await admin(`${seeder.url}/admin/api/wechat/pay-merchants`, {
    mchId: '1900000109',
    appid: 'wxd930ea5d5a258f4f',
    key: SANDBOX_WECHATPAY_KEY,
  });
  await admin(
    `${seeder.url}/admin/api/jucai/merchants/${MCH}/channels/WECHAT`,
    { wechatPayMchId: '1900000109', subMchId: '1900000110' },
    'PUT',
  );
  // The first call of the repeated order goes to the channel; every call the benchmark sends repeats it.
  const first = await fetch(`${seeder.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: signedBody(repeat.mchOrderNo, repeat.authCode),
  });
  const answer = (await first.json()) as { code: number; data: { returnCode: string } | null };
  if (answer.code !== 200 || answer.data?.returnCode !== '000000') throw new Error(`the first call: ${JSON.stringify(answer)}`);
} finally {
  await stopProcess(seeder);
}

const line = (body: string) => `${PATH}\t${body}`;
const n = Math.ceil(knobs.maxRps * (knobs.seconds + 1));
const repeatFile = writeRequests(
  join(dataDir, 'repeat.txt'),
  new Array<string>(n).fill(line(signedBody(repeat.mchOrderNo, repeat.authCode))),
);
let orders = 0;
/** A file of fresh orders, each with its own payment code: nothing in it was ever answered. */
function freshFile(name: string, seconds: number): string {
  const count = Math.ceil(fullMaxRps * (seconds + 1));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(line(signedBody(`BENCH${String(++orders).padStart(12, '0')}`, paymentCode())));
  return writeRequests(join(dataDir, name), lines);
}
const plan = (file: string, count: RunPlan['count'], durationS = knobs.seconds): RunPlan => ({
  files: [file],
  method: 'POST',
  contentType: 'application/json',
  connections: knobs.connections,
  durationS,
  count,
});
const okCount = kaifangCounter('jucai', PATH, '200:000000');
const baselineEnv = { ...env, BASELINE_JUCAI_SECRET: secret };

const startedOn = machineLine();
log(startedOn);
log(`bench:jucai: ${knobs.rounds} rounds; each run ${knobs.seconds} s after a ${knobs.warmupSeconds} s warm-up; data in ${dataDir}`);
const repeats: Round[] = [];
const fulls: Round[] = [];
for (let round = 1; round <= knobs.rounds; round++) {
  const baseline = await measureProcess(BASELINE_ARGS, ROOT, baselineEnv, plan(repeatFile, baselineCounter), knobs.warmupSeconds);
  const kRepeat: Record<string, Measured> = {};
  const kFull: Record<string, Measured> = {};
  for (const v of rotation(variants, round)) {
    const warmFull = withFull ? freshFile(`full-warm-${round}-${v.name}.txt`, knobs.warmupSeconds) : '';
    const full = withFull ? freshFile(`full-${round}-${v.name}.txt`, knobs.seconds) : '';
    const k = await startKaifang(v, knobs.nodeArgs, env);
    try {
      await measure([k], plan(repeatFile, okCount, knobs.warmupSeconds));
      kRepeat[v.name] = await measure([k], plan(repeatFile, okCount));
      if (withFull) {
        await measure([k], plan(warmFull, okCount, knobs.warmupSeconds));
        kFull[v.name] = await measure([k], plan(full, okCount));
      }
    } finally {
      await stopProcess(k);
    }
  }
  repeats.push({ round, baseline, kaifang: kRepeat });
  if (withFull) fulls.push({ round, baseline, kaifang: kFull });
  log(
    `  round ${round}: baseline ${baseline.rps.toFixed(0)} req/s p99 ${baseline.p99.toFixed(1)} ms; ` +
      variants
        .map((v) => {
          const r = kRepeat[v.name]!;
          const f = kFull[v.name];
          return `${v.name} repeat (${(r.rps / baseline.rps).toFixed(2)}) ${brief(r)}${f ? `, full path ${brief(f)}` : ''}`;
        })
        .join('; '),
  );
}

const sections: string[] = [startedOn, ''];
for (const v of variants) {
  sections.push(
    `#### ${v.name}: auth2OpenId, an idempotent repeat, against the JSON + MD5 baseline`,
    '',
    ...table(ROUND_HEADER, roundRows(repeats, v.name)),
    '',
  );
  if (withFull)
    sections.push(
      `#### ${v.name}: auth2OpenId, the full path through the sandbox WeChat Pay (the baseline columns are the same round's, for scale)`,
      '',
      ...table(ROUND_HEADER, roundRows(fulls, v.name)),
      '',
    );
}
const ab = abRows(
  repeats,
  variants.map((v) => v.name),
);
if (ab.length) sections.push('#### A/B, repeat', '', ...ab, '');
if (ab.length && withFull)
  sections.push(
    '#### A/B, full path',
    '',
    ...abRows(
      fulls,
      variants.map((v) => v.name),
    ),
    '',
  );
const cols = variants.flatMap((v) => [
  [`${v.name}, repeat`, summary(repeats, v.name)] as const,
  ...(withFull ? [[`${v.name}, full path`, summary(fulls, v.name)] as const] : []),
]);
sections.push(...mediansSection(cols));
const report = sections.join('\n');
log('\n' + report);
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
if (process.env.BENCH_JSON_FILE) writeFileSync(process.env.BENCH_JSON_FILE, JSON.stringify({ knobs, variants, repeats, fulls }, null, 1));
rmSync(dataDir, { recursive: true, force: true });
