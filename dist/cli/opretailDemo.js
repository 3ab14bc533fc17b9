import { formatCompact } from '../core/cst.js';
import { opretail } from '../core/signing.js';
import { demoSeeders } from './serve.js';
const DEMO_KEY = 'S107-demo';
const DEMO_ENTERPRISE = 1;
/** Seeds the demo developer key (once) and prints a signed `open.gateway.authentication` call. */
export async function opretailDemo(k, baseUrl) {
    const keys = k.opretail.keys;
    let key = await keys.findForSigning(DEMO_KEY);
    if (!key) {
        await keys.create({ applicationKey: DEMO_KEY, username: 'demo developer', enterpriseId: DEMO_ENTERPRISE, applicationId: k.config.opretailAid });
        key = (await keys.findForSigning(DEMO_KEY));
    }
    const params = {
        _aid: key.applicationId,
        _akey: key.applicationKey,
        _mt: 'open.gateway.authentication',
        _sm: 'md5',
        _requestMode: 'post',
        _version: 'v2',
        _timestamp: formatCompact(k.clock.now()),
        orgid: String(key.enterpriseId),
    };
    params._sig = opretail.sign(params, key.applicationSecret, 'md5');
    return [
        '',
        `opretail (万店掌) demo: developer key ${key.applicationKey}, enterprise ${key.enterpriseId}`,
        `  secret: ${key.applicationSecret}  (sign: MD5(secret + sorted name+value pairs + secret), uppercase)`,
        `  open.gateway.authentication (works once, within ${k.config.opretailTimestampWindowS / 60} minutes: _timestamp and replay protection):`,
        `     curl -s -X POST ${baseUrl}/m.api -d '${new URLSearchParams(params).toString()}'`,
    ].join('\n');
}
demoSeeders.push(opretailDemo);
