/**
 * The comparison baselines, bare Fastify on the same machine:
 * - `POST /m.api` (quality.md): parses the same form body as `/m.api` (with @fastify/formbody) and computes one MD5 over it —
 *   the ceiling for this stack;
 * - `GET /service/1.0/user/info` (issue 11): reads the query, hashes `access_token` with SHA-256
 *   and answers a JSON of the same size as kaifang's (the template is BASELINE_USERINFO_FILE, the
 *   hash going into its 24-hex-digit `_id`).
 * - `POST /pay/api/1.0/auth2OpenId` (issue 10): parses the same JSON body, computes one MD5 over its
 *   sorted `name=value` pairs and answers a `{code, msg, data, sign}` of the same fields.
 * `GET /__stats` tells the benchmark what it served and the event loop's delay since the last call
 * (the same monitor and resolution as kaifang's /metrics), and GC time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';

const eld = monitorEventLoopDelay({ resolution: 2 });
eld.enable();
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
let served = 0;

const app = Fastify({ logger: false });
// The fastest well-kept form parser this stack has (fast-querystring), as issue 19 asks: the
// baseline is the ceiling, so it must not pay for a slower parser than kaifang could use.
await app.register(formbody);
app.post('/m.api', async (request) => {
  const params = request.body as Record<string, string>;
  let text = '';
  for (const name of Object.keys(params).sort()) text += name + params[name];
  const sig = createHash('md5').update(text).digest('hex').toUpperCase();
  served++;
  return { stat: { cid: request.id, code: 0, codename: 'SUCCESS', systime: Date.now() }, result: 'ok', data: { sig } };
});

const userInfo = process.env.BASELINE_USERINFO_FILE
  ? (JSON.parse(readFileSync(process.env.BASELINE_USERINFO_FILE, 'utf8')) as { result: { _id: string } })
  : undefined;
app.get('/service/1.0/user/info', async (request, reply) => {
  const query = request.query as Record<string, string | undefined>;
  const hash = createHash('sha256')
    .update(query.access_token ?? '')
    .digest('hex');
  served++;
  const body = userInfo ? { ...userInfo, result: { ...userInfo.result, _id: hash.slice(0, 24) } } : { result: null, flag: 1, token: hash };
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
});

const JUCAI_KEY = process.env.BASELINE_JUCAI_SECRET ?? 'baseline';
app.post('/pay/api/1.0/auth2OpenId', async (request) => {
  const fields = request.body as Record<string, unknown>;
  const pairs: string[] = [];
  for (const name of Object.keys(fields).sort()) if (name !== 'sign' && fields[name] !== '') pairs.push(`${name}=${String(fields[name])}`);
  const sign = createHash('md5')
    .update(pairs.join('&') + `&key=${JUCAI_KEY}`)
    .digest('hex');
  served++;
  const data = {
    returnCode: '000000',
    returnMsg: 'SUCCESS',
    termId: fields.termId,
    randomStr: sign.toUpperCase(),
    orgId: 'ISV_I000000000',
    mchNo: fields.mchNo,
    mchOrderNo: fields.mchOrderNo,
    appid: 'wxd930ea5d5a258f4f',
    openid: `o${sign.slice(0, 27)}`,
    subAppid: '',
    subOpenid: '',
  };
  return { code: 200, msg: '成功', data, sign };
});

app.get('/__stats', async () => {
  const out = { served, eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6, gcMs };
  eld.reset();
  return out;
});

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`LISTENING ${address}\n`);
process.once('SIGTERM', () => process.exit(0)); // a clean exit, so --cpu-prof can write its profile
