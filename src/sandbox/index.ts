import type { FastifyInstance } from 'fastify';
import { aliyunSmsSimulator } from './aliyunSms.ts';
import { releaseHangs } from './behaviour.ts';
import type { SandboxDeps } from './deps.ts';
import { journalLine } from './journal.ts';
import { partnerPage } from './partnerPage.ts';
import { smsSimulator } from './sms.ts';
import { tencentSmsSimulator } from './tencentSms.ts';
import { unionPayBridgeSimulator } from './unionpayBridge.ts';
import { wechatSimulator } from './wechat.ts';
import { wechatOfficialAccountSimulator } from './wechatOfficialAccount.ts';
import { wechatOpenSimulator, wechatWebAuthSimulator } from './wechatWebAuth.ts';
import { wechatPaySimulator } from './wechatpay.ts';

export type { SandboxDeps } from './deps.ts';

/**
 * The upstream simulators, mounted under `/sandbox` (sandbox mode only). Each speaks the wire
 * protocol of the real host, so the adapters run their real HTTP code against them, and each checks
 * requests with its own implementation of the upstream's signing. Bodies are kept raw (a Buffer)
 * because the simulators verify signatures over the exact bytes received.
 */
export async function sandbox(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // A deliberately hung request must not hold up a shutdown.
  app.addHook('preClose', async () => releaseHangs());
  // Each WeChat Pay query, bridge request and code exchange, with its answer, for the console's sandbox page.
  if (deps.journal) {
    const journal = deps.journal;
    app.addHook('onSend', (request, reply, payload, done) => {
      const line = journalLine(
        request.url.split('?')[0]!,
        request.query as Record<string, unknown>,
        request.body,
        reply.statusCode,
        typeof payload === 'string' ? payload : '',
      );
      if (line) journal.add({ at: deps.clock.now(), ...line });
      done(null, payload);
    });
  }
  await app.register(wechatSimulator, { deps, prefix: '/wechat' });
  await app.register(wechatWebAuthSimulator, { deps, prefix: '/wechat' });
  await app.register(wechatOfficialAccountSimulator, { deps, prefix: '/wechat' });
  await app.register(wechatOpenSimulator, { deps, prefix: '/wechat-open' });
  await app.register(partnerPage, { prefix: '/partner' });
  await app.register(smsSimulator, { deps, prefix: '/sms' });
  await app.register(aliyunSmsSimulator, { deps, prefix: '/aliyun-sms' });
  await app.register(tencentSmsSimulator, { deps, prefix: '/tencent-sms' });
  await app.register(wechatPaySimulator, { deps, prefix: '/wechatpay' });
  await app.register(unionPayBridgeSimulator, { deps, prefix: '/unionpay-bridge' });
}
