/**
 * What a front declares to get its page in the integrator's debugger (`/debugger/`): how a partner
 * names their credential, how a request to one of its endpoints is built and signed, how a
 * request a partner's code sent is checked again, in the front's own order, and how a signed
 * reply is verified. A front's `debugger.ts` runs in the browser: it imports only the kernel's
 * signing and its own signing.ts (the same string-to-sign code the server and the clients use),
 * and this file, which imports nothing. The secret a partner types stays in the page: the
 * debugger's functions get it as an argument and nothing sends it anywhere.
 */

export interface Words {
  en: string;
  zh: string;
}

/** A field of an endpoint's form, read from the wire OpenAPI document. */
export interface DebugField {
  name: string;
  in: 'query' | 'body' | 'header';
  required: boolean;
  description?: string;
  pattern?: string;
  enum?: readonly string[];
  maxLength?: number;
  example?: string;
}

/** One endpoint of the front, from `/openapi.json`. */
export interface DebugEndpoint {
  method: string;
  path: string;
  summary: string;
  fields: readonly DebugField[];
  /** The body's media types, first preferred. */
  bodyTypes: readonly string[];
}

/** What the server tells the debugger (`/debugger/api/info`): its time and each front's public settings. */
export interface DebugContext {
  now: number;
  sandbox: boolean;
  settings: Readonly<Record<string, unknown>>;
}

/** A request ready to send, and how it was signed. */
export interface BuiltRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** The parameters as sent, in order. */
  params: readonly (readonly [string, string])[];
  /** The string that was signed, with the secret in it: the page masks it before showing it. */
  stringToSign?: string;
  signature?: string;
  /** A line about the scheme (MD5 of …, uppercase hex). */
  scheme?: Words;
}

/** A request as pasted by the partner: a curl line, a URL, or a raw body. */
export interface PastedRequest {
  method: string;
  path: string;
  query: readonly (readonly [string, string])[];
  contentType: string;
  body: string;
  /** Query and body parameters together (JSON bodies: their top-level fields as text). */
  params: Readonly<Record<string, string>>;
  /** A JSON body's top-level values as they were (numbers stay numbers): signing writes them as sent. */
  json?: Readonly<Record<string, unknown>>;
  /** Names that came more than once. */
  repeated: readonly string[];
}

/** One check the front makes, redone in the page. */
export interface Check {
  name: Words;
  ok: boolean;
  /** Not redone in the page (needs the server's data); shown as such. */
  serverOnly?: boolean;
  expected?: string;
  received?: string;
  detail?: Words;
  /** The string to sign the front expects (with the secret: masked by the page). */
  stringToSign?: string;
  /** Timestamp skew, seconds (received − server time). */
  skewSeconds?: number;
}

export interface ReplyCheck {
  ok: boolean;
  stringToSign: string;
  expected: string;
  received: string;
}

export interface FrontDebugger {
  /** The front's name (its OpenAPI tag). */
  front: string;
  label: Words;
  /** Labels of the credential's two fields and the field names they fill. */
  credential: { id: Words; secret: Words; idField: string; secretSent?: boolean };
  /** Fields the debugger fills itself (signature, timestamp, credential id): not in the form. */
  filled: readonly string[];
  /** Paths partners call (others in the document, like a redirect target, are left out). */
  paths?: readonly string[];
  /** Example values for a first try (the demo seed's), by field name. */
  examples?: Readonly<Record<string, string>>;
  build(endpoint: DebugEndpoint, values: Readonly<Record<string, string>>, id: string, secret: string, ctx: DebugContext): BuiltRequest;
  explain(request: PastedRequest, secret: string, ctx: DebugContext, theirs?: string): Check[];
  verifyReply?(reply: unknown, secret: string): ReplyCheck | undefined;
}

/** `{ en, zh }`. */
export const say = (en: string, zh: string): Words => ({ en, zh });

/** A form body of the parameters, as a browser encodes a form. */
export function formBody(params: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(params.map(([n, v]) => [n, v])).toString();
}

/** The first of `names` missing or empty in `params`, as a failed check; undefined when all are there. */
export function firstMissing(params: Readonly<Record<string, string>>, names: readonly string[]): Check | undefined {
  const name = names.find((n) => !params[n]);
  return name === undefined
    ? undefined
    : {
        name: say(`${name} present`, `${name} 存在`),
        ok: false,
        expected: say('not empty', '非空').en,
        received: say('missing or empty', '缺失或为空').en,
      };
}

/** The request's parameters as text, in the order given, without the empty values the form left blank. */
export function filledParams(values: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(values).filter(([, v]) => v !== '');
}
