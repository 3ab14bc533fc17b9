import { parseCompact } from '../../kernel/cst.ts';
import { Disabled, Forbidden, InvalidSignature, NotFound, Expired } from '../../kernel/errors.ts';
import type { LimitWindow } from '../../core/quota.ts';
import { ifexpire, type DeveloperKeyWithSecret } from './domain/developerKeys.ts';
import { BUILT_IN_METHODS, type GatewayMethod } from './domain/gatewayMethods.ts';
import { opretail } from './signing.ts';
import type { ParsedBody } from '../kit/bodies.ts';
import type { FrontContext } from '../kit/front.ts';
import type { WireCall } from '../kit/wire.ts';
import { signatureHint } from '../kit/wire.ts';
import { GatewayError, type Codename } from './codes.ts';
import type { OpretailServices } from './services.ts';
import { authentication } from './methods/authentication.ts';
import type { BuiltInMethod } from './methods/types.ts';
import { collectParams, quote, type Params, type ParamSet } from './params.ts';
import type { Format } from './reply.ts';

const BUILT_IN: Record<string, Record<string, BuiltInMethod>> = { 'open.gateway.authentication': authentication };
for (const name of Object.keys(BUILT_IN)) if (!BUILT_IN_METHODS.has(name)) throw new Error(`${name} is not reserved in BUILT_IN_METHODS`);

const SYSTEM = new Set(['_aid', '_akey', '_mt', '_sm', '_requestMode', '_version', '_timestamp', '_sig', '_format']);

const REQUEST_MODES = new Set(['post', 'get', 'put', 'delete']);

/** Step 1 of the spec's order: the first absent or empty system parameter decides the code. */
const REQUIRED: [string, Codename][] = [
  ['_akey', 'KEY_NOTNULL'],
  ['_sm', 'SIGN_METHOD_NOTNULL'],
  ['_sig', 'SIGN_NOTNULL'],
  ['_mt', 'METHOD_NOTNULL'],
  ['_requestMode', 'REQUESTMODE_NOTNULL'],
  ['_aid', 'APPLICATIONID_NOTNULL'],
  ['_version', 'VERSION_NOTNULL'],
  ['_timestamp', 'TIMESTAMP_NOTNULL'],
];

export interface GatewayRequest {
  id: string;
  rawQuery: string;
  body: ParsedBody;
  /** The `environment` header (formal, test, dev), when sent. */
  environment: string | undefined;
}

/**
 * What the call log and the reply need to know, filled in as the call gets further: the kit's
 * call (`endpoint` becomes the method name once it is known to exist, which keeps metric labels
 * bounded; `credential` the developer key) and the reply's format.
 */
export interface CallState extends WireCall {
  format: Format;
}

const fail = (codename: Codename, result: string): never => {
  throw new GatewayError(codename, result);
};

function checkValues(p: Record<string, string>): { sm: 'md5' | 'sha1'; timestamp: number } {
  for (const [name, codename] of REQUIRED) {
    if (!p[name]) fail(codename, `${name} is required and must not be empty`);
  }
  const sm = p._sm!.toLowerCase();
  if (sm !== 'md5' && sm !== 'sha1') fail('SIGN_TYPE_NOTEXIST', `_sm must be md5 or sha1, got ${quote(p._sm!)}`);
  if (!REQUEST_MODES.has(p._requestMode!.toLowerCase())) {
    fail('REQUESTMODE_NOTNULL', `_requestMode must be post, get, put or delete (any case), got ${quote(p._requestMode!)}`);
  }
  const timestamp = parseCompact(p._timestamp!);
  if (timestamp === null)
    fail(
      'TIMESTAMP_FORMAT_ERROR',
      `_timestamp must be a real date and time as yyyyMMddHHmmss (China Standard Time), got ${quote(p._timestamp!)}`,
    );
  const format = (p._format ?? '').toLowerCase();
  if (format !== '' && format !== 'json' && format !== 'xml')
    fail('FORMAT_TYPE_NOTEXIST', `_format must be json (the default) or xml, got ${quote(p._format!)}`);
  return { sm: sm as 'md5' | 'sha1', timestamp: timestamp! };
}

/** The key `_akey` names, checked: `key` is what the credentials store gave for it. */
function checkedKey(
  s: OpretailServices,
  p: Record<string, string>,
  call: CallState,
  key: DeveloperKeyWithSecret | undefined,
): DeveloperKeyWithSecret {
  if (!key) throw new NotFound('developerKey', `_akey ${quote(p._akey!)} is not a developer key of this platform`);
  // A known key is named in the call log even when refused below (disabled, wrong _aid, expired):
  // its id is public, and an operator looks for who keeps calling with a key that was switched off.
  call.credential = key.applicationKey;
  if (key.switchStatus === 2) throw new Disabled(`_akey ${quote(p._akey!)} is disabled; ask the platform administrator`);
  const aid = s.settings.opretailAid;
  if (p._aid !== aid) fail('APPLICATIONID_NOTSAME', `_aid must be this platform's system number ${quote(aid)}, got ${quote(p._aid!)}`);
  if (p._aid !== key.applicationId)
    fail('APPLICATIONID_NOTSAME', `_aid ${quote(p._aid!)} does not match this key's application id ${quote(key.applicationId)}`);
  if (ifexpire(key, s.clock.now()) === 2) throw new Expired('_akey has expired; renew the service or contact the platform administrator');
  return key;
}

/**
 * `value` as Java's `URLEncoder.encode(value, "UTF-8")` writes it: letters, digits and `. - * _`
 * kept, space as `+`, every other UTF-8 byte as `%XX`. That is exactly the WHATWG form encoding.
 */
function javaUrlEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Which values the caller signed (opretail.md, "Compatibility"): as received; else, for a JSON body
 * whose values arrived still URL-encoded (the Java SDK's JSON mode), the decoded values; else, for
 * the Java SDK's `jsonUnescape` mode, the values as received with `data` URL-encoded the way Java's
 * URLEncoder does. No other variant. Returns the set the method should get.
 */
function verified(ctx: FrontContext, params: Params, key: DeveloperKeyWithSecret, sm: 'md5' | 'sha1'): ParamSet {
  const sig = params.text._sig!;
  if (opretail.verify(params.text, key.applicationSecret, sm, sig)) return params;
  if (params.decoded && opretail.verify(params.decoded.text, key.applicationSecret, sm, sig)) return params.decoded;
  const data = params.text.data;
  if (data !== undefined) {
    const encoded = javaUrlEncoded(data);
    if (encoded !== data && opretail.verify({ ...params.text, data: encoded }, key.applicationSecret, sm, sig)) return params;
  }
  let message = '_sig does not match; sign every parameter except _sig, sorted by name, as name+value with the secret before and after';
  const expected = signatureHint(ctx, () => opretail.stringToSign(params.text, key.applicationSecret), key.applicationSecret);
  if (expected !== undefined) message += `, then ${sm} in uppercase hex. Sandbox: the string to sign was ${expected}`;
  throw new InvalidSignature(message);
}

/** The registered, enabled method the key may call (`runGateway` looks in `BUILT_IN` first). */
async function registeredMethodFor(s: OpretailServices, p: Record<string, string>, key: DeveloperKeyWithSecret): Promise<GatewayMethod> {
  const name = p._mt!;
  const version = p._version!;
  const method = BUILT_IN[name] ? undefined : await s.methods.resolve(name, version);
  if (!method) throw new NotFound('method', `no method ${quote(name)} version ${quote(version)} is registered on this platform`);
  if (key.developerType !== 1 && !(await s.methods.isGranted(key.id, method.id))) {
    throw new Forbidden(`method ${quote(name)} version ${quote(version)} is not granted to this _akey; ask the platform administrator`);
  }
  return method;
}

/** The key's windows, and a registered method's own (per key, on top of the key's overall limit). */
function limitWindows(
  s: OpretailServices,
  key: DeveloperKeyWithSecret,
  name: string,
  method: BuiltInMethod | GatewayMethod,
): LimitWindow[] {
  const windows = s.quotas.windows(
    `opretail:key:${key.id}`,
    { perSecond: key.ratePerSecond ?? s.settings.opretailRatePerSecond, perDay: key.ratePerDay ?? s.settings.opretailRatePerDay },
    'this _akey',
  );
  if (typeof method !== 'function' && (method.ratePerSecond !== null || method.ratePerDay !== null)) {
    windows.push(
      ...s.quotas.windows(
        `opretail:key:${key.id}:method:${method.id}`,
        { perSecond: method.ratePerSecond, perDay: method.ratePerDay },
        `this _akey on ${name} ${method.version}`,
      ),
    );
  }
  return windows;
}

/** The parameters a method gets: all but the gateway's own. */
function businessParams<V>(all: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = Object.create(null);
  for (const name of Object.keys(all)) if (!SYSTEM.has(name)) out[name] = all[name]!;
  return out;
}

/**
 * One `/m.api` call, in the spec's check order. Nothing is written until the signature checks out
 * (the replay record), and rate counters move only for a method that exists and is granted.
 * Returns the method's `data`; every refusal is thrown.
 */
export async function runGateway(s: OpretailServices, ctx: FrontContext, req: GatewayRequest, call: CallState): Promise<unknown> {
  const params = collectParams(req.rawQuery, req.body);
  call.format = params.text._format?.toLowerCase() === 'xml' ? 'xml' : 'json';
  const { sm, timestamp } = checkValues(params.text);
  // A key or method this process has cached is used without an await: each costs a promise and a
  // turn of the microtask queue, and nearly every call finds both here.
  const cached = s.keys.cachedForSigning(params.text._akey!);
  const key = checkedKey(s, params.text, call, cached ? cached.value : await s.keys.findForSigning(params.text._akey!));

  const windowS = s.settings.opretailTimestampWindowS;
  const windowMs = windowS * 1000;
  if (Math.abs(s.clock.now() - timestamp) > windowMs) {
    fail(
      'TIMESTAMP_OVERTIME',
      `_timestamp is more than ${windowS} s from the platform's time; send the current China Standard Time with every call`,
    );
  }

  const signed = verified(ctx, params, key, sm);

  // The method is looked up (read only) before the replay record is written so that the record and
  // the rate counters go to the state store in one write; refusals still come in the spec's order:
  // a replay (-100) before an unknown method (9) before a limit (18).
  const builtIn = BUILT_IN[params.text._mt!]?.[params.text._version!];
  const found: { method: BuiltInMethod | GatewayMethod | undefined; error?: unknown } = builtIn
    ? { method: builtIn }
    : await registeredMethodFor(s, params.text, key).then(
        (method) => ({ method }),
        (error: unknown) => ({ method: undefined, error }),
      );
  const windows = found.method ? limitWindows(s, key, params.text._mt!, found.method) : [];
  // Remembered while the request's own _timestamp is inside the window (+1 s: the timestamp has
  // whole seconds): a replay after that is refused as TIMESTAMP_OVERTIME, which is checked first.
  const rememberMs = timestamp + windowMs + 1000 - s.clock.now();
  // The key's row id and the signature's bytes in base64: the same identity as `_akey` + `_sig`
  // (the signature checked out, so it is hex), in 40% fewer characters to keep in memory.
  const replayId = `${key.id}:${Buffer.from(params.text._sig!, 'hex').toString('base64')}`;
  const counts = await s.replay.once('opretail', replayId, Math.max(rememberMs, 1000), windows);
  if (!found.method) throw found.error;
  const method = found.method;
  call.endpoint = params.text._mt!;
  s.quotas.enforce(windows, counts);

  if (typeof method === 'function') return method({ key, text: businessParams(signed.text), now: s.clock.now() });
  const env = req.environment?.toLowerCase();
  const test = key.keytype === 2 || env === 'test' || env === 'dev';
  return s.forwarder.call(method, { key, values: businessParams(signed.values), requestId: req.id, test });
}
