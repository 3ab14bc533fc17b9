/**
 * The comparison baseline of quality.md: a bare Fastify route that parses the same form body as
 * `/m.api` and computes one MD5 over it — the ceiling for this stack on this machine.
 */
import { createHash } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body as string)));
});
app.post('/m.api', async (request) => {
  const params = request.body as Record<string, string>;
  let text = '';
  for (const name of Object.keys(params).sort()) text += name + params[name];
  const sig = createHash('md5').update(text).digest('hex').toUpperCase();
  return { stat: { cid: request.id, code: 0, codename: 'SUCCESS', systime: Date.now() }, result: 'ok', data: { sig } };
});
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`LISTENING ${address}\n`);
process.once('SIGTERM', () => process.exit(0)); // a clean exit, so --cpu-prof can write its profile
