/**
 * The 微厅 benchmark (issue 11, "Performance"), same method as the gateway's (bench/opretail.ts):
 * `GET /service/1.0/user/info?access_token=…&openid=…` with a valid token for a user with five bound
 * devices, against a bare Fastify route that hashes the token with SHA-256 and answers a JSON of the
 * same size (bench/baseline-server.ts), on the embedded default; then token issuance
 * (`GET /service/1.0/access/token?appid&secret`, an app with a daily limit of 1,000,000), reported.
 *
 *   npm run bench:weiting     (wrk must be installed: Debian `apt-get install wrk`)
 *
 * Seeding goes through the documented HTTP surface: two apps by `POST /admin/api/weiting/apps`
 * (one whose token the reads use, one that issuance runs on, so issuing never retires the readers'
 * token), a token, and five `POST /service/weekBind/create` reports binding five devices.
 * Settings: BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS, BENCH_VARIANTS,
 * BENCH_NODE_ARGS, BENCH_RESULTS_FILE, BENCH_JSON_FILE (as bench/opretail.ts); BENCH_TOKENS=0 leaves
 * token issuance out (to profile user/info alone).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const variants = variantsFromEnv();
const log = (line: string) => process.stdout.write(line + '\n');
const ADMIN = 'bench-admin-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-bench-weiting-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KAIFANG_DATA_DIR: dataDir,
  KAIFANG_MASTER_KEY: 'b'.repeat(64),
  KAIFANG_ADMIN_TOKEN: ADMIN,
  DATABASE_URL: '',
  REDIS_URL: '',
};

async function call(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url.replace(/secret=[^&]*/, 'secret=…')}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
const admin = (url: string, body: unknown) =>
  call(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

if (variants.some((v) => v.name === 'kaifang')) buildRoot();
const seeder = await startKaifang(variants[0]!, [], env);
const OPENID = 'oBench0000000000000000000001';
let readerToken: string;
let issuer: { appid: string; secret: string };
let userInfoBody: string;
try {
  const reader = (await admin(`${seeder.url}/admin/api/weiting/apps`, { name: 'bench reader', dailyTokenLimit: 1_000_000 })) as {
    appid: string;
    secret: string;
  };
  issuer = (await admin(`${seeder.url}/admin/api/weiting/apps`, { name: 'bench issuer', dailyTokenLimit: 1_000_000 })) as {
    appid: string;
    secret: string;
  };
  const token = await call(`${seeder.url}/service/1.0/access/token?appid=${reader.appid}&secret=${encodeURIComponent(reader.secret)}`);
  readerToken = String(token.data);
  for (let i = 0; i < 5; i++) {
    const bound = await call(`${seeder.url}/service/weekBind/create?access_token=${readerToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: OPENID, deviceno: `1380000000${i}`, channel: '1', from: 'bench' }),
    });
    if (bound.status !== 200) throw new Error(`weekBind/create: ${JSON.stringify(bound)}`);
  }
  const info = await fetch(`${seeder.url}/service/1.0/user/info?access_token=${readerToken}&openid=${OPENID}`);
  userInfoBody = await info.text();
  const parsed = JSON.parse(userInfoBody) as { flag: number; result: { accounts: unknown[] } };
  if (parsed.flag !== 0 || parsed.result.accounts.length !== 5) throw new Error(`user/info: ${userInfoBody}`);
} finally {
  await stopProcess(seeder);
}
const templateFile = join(dataDir, 'userinfo.json');
writeFileSync(templateFile, userInfoBody);
const baselineEnv = { ...env, BASELINE_USERINFO_FILE: templateFile };

const n = Math.ceil(knobs.maxRps * (knobs.seconds + 1));
const infoFile = writeRequests(
  join(dataDir, 'userinfo.txt'),
  new Array<string>(n).fill(`/service/1.0/user/info?access_token=${readerToken}&openid=${OPENID}`),
);
const tokenFile = writeRequests(
  join(dataDir, 'token.txt'),
  new Array<string>(n).fill(`/service/1.0/access/token?appid=${issuer.appid}&secret=${encodeURIComponent(issuer.secret)}`),
);
const plan = (file: string, count: RunPlan['count'], durationS = knobs.seconds): RunPlan => ({
  files: [file],
  method: 'GET',
  connections: knobs.connections,
  durationS,
  count,
});
/** BENCH_TOKENS=0 leaves token issuance out (to profile user/info alone with BENCH_NODE_ARGS=--cpu-prof). */
const WITH_TOKENS = process.env.BENCH_TOKENS !== '0';
const infoCount = kaifangCounter('weiting', '/service/1.0/user/info', '0');
const tokenCount = kaifangCounter('weiting', '/service/1.0/access/token', '200');

const startedOn = machineLine();
log(startedOn);
log(
  `bench:weiting: ${knobs.rounds} rounds; each run ${knobs.seconds} s after a ${knobs.warmupSeconds} s warm-up; reply ${Buffer.byteLength(userInfoBody)} bytes; data in ${dataDir}`,
);
const info: Round[] = [];
const tokens: Round[] = [];
for (let round = 1; round <= knobs.rounds; round++) {
  const baseline = await measureProcess(BASELINE_ARGS, ROOT, baselineEnv, plan(infoFile, baselineCounter), knobs.warmupSeconds);
  const kInfo: Record<string, Measured> = {};
  const kToken: Record<string, Measured> = {};
  for (const v of rotation(variants, round)) {
    const k = await startKaifang(v, knobs.nodeArgs, env);
    try {
      await measure([k], plan(infoFile, infoCount, knobs.warmupSeconds));
      kInfo[v.name] = await measure([k], plan(infoFile, infoCount));
      if (WITH_TOKENS) {
        await measure([k], plan(tokenFile, tokenCount, knobs.warmupSeconds));
        kToken[v.name] = await measure([k], plan(tokenFile, tokenCount));
      }
    } finally {
      await stopProcess(k);
    }
  }
  info.push({ round, baseline, kaifang: kInfo });
  if (WITH_TOKENS) tokens.push({ round, baseline, kaifang: kToken });
  log(
    `  round ${round}: baseline ${baseline.rps.toFixed(0)} req/s p99 ${baseline.p99.toFixed(1)} ms; ` +
      variants
        .map((v) => {
          const i = kInfo[v.name]!;
          const t = kToken[v.name];
          return `${v.name} user/info (${(i.rps / baseline.rps).toFixed(2)}) ${brief(i)}${t ? `, token ${brief(t)}` : ''}`;
        })
        .join('; '),
  );
}

const sections: string[] = [startedOn, ''];
for (const v of variants) {
  sections.push(
    `#### ${v.name}: user/info (5 devices), against the SHA-256 baseline`,
    '',
    ...table(ROUND_HEADER, roundRows(info, v.name)),
    '',
  );
  if (WITH_TOKENS)
    sections.push(
      `#### ${v.name}: token issuance (the baseline columns are the same round's user/info baseline, for scale)`,
      '',
      ...table(ROUND_HEADER, roundRows(tokens, v.name)),
      '',
    );
}
const ab = abRows(
  info,
  variants.map((v) => v.name),
);
if (ab.length) sections.push('#### A/B, user/info', '', ...ab, '');
if (ab.length && WITH_TOKENS)
  sections.push(
    '#### A/B, token issuance',
    '',
    ...abRows(
      tokens,
      variants.map((v) => v.name),
    ),
    '',
  );
const cols = variants.flatMap((v) => [
  [`${v.name}, user/info`, summary(info, v.name)] as const,
  ...(WITH_TOKENS ? [[`${v.name}, token issuance`, summary(tokens, v.name)] as const] : []),
]);
sections.push(...mediansSection(cols));
const report = sections.join('\n');
log('\n' + report);
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
if (process.env.BENCH_JSON_FILE) writeFileSync(process.env.BENCH_JSON_FILE, JSON.stringify({ knobs, variants, info, tokens }, null, 1));
rmSync(dataDir, { recursive: true, force: true });
