import { aliyunSmsSimulator } from './aliyunSms.js';
import { releaseHangs } from './behaviour.js';
import { SandboxOutbox } from './outbox.js';
import { smsSimulator } from './sms.js';
import { tencentSmsSimulator } from './tencentSms.js';
import { wechatSimulator } from './wechat.js';
/**
 * The upstream simulators, mounted under `/sandbox` (sandbox mode only). Each speaks the wire
 * protocol of the real host, so the adapters run their real HTTP code against them. Bodies are
 * kept raw (a Buffer) because the simulators verify signatures over the exact bytes received.
 */
export async function sandbox(app, { k }) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // A deliberately hung request must not hold up a shutdown.
    app.addHook('preClose', async () => releaseHangs());
    const outbox = new SandboxOutbox(k.db, k.clock);
    await app.register(wechatSimulator, { k, prefix: '/wechat' });
    await app.register(smsSimulator, { k, outbox, prefix: '/sms' });
    await app.register(aliyunSmsSimulator, { k, outbox, prefix: '/aliyun-sms' });
    await app.register(tencentSmsSimulator, { k, outbox, prefix: '/tencent-sms' });
}
