import type { OpenApiFragment } from '../kit/openapi.ts';
import { CODES, type Codename } from './codes.ts';

/**
 * The Opretail (万店掌) gateway `/m.api` in the OpenAPI document: system parameters, the response
 * envelope and the return codes, as in the seed and the Opretail spec. Documentation only; the
 * gateway's behaviour lives in this directory's other files.
 */

/**
 * What each code means, for the document. Keyed by codename and typed against `CODES`, so a code
 * added to or removed from codes.ts without its meaning here fails the type check.
 */
const MEANINGS: Record<Codename, string> = {
  SUCCESS: 'call success',
  KEY_NOTNULL: '_akey is missing or empty',
  KEY_UNLAWFUL: '_akey is unknown or disabled',
  KEY_HAS_EXPIRED: 'the key has expired',
  SIGN_METHOD_NOTNULL: '_sm is missing or empty',
  SIGN_TYPE_NOTEXIST: '_sm is not md5 or sha1',
  SIGN_NOTNULL: '_sig is missing or empty',
  SIGN_WRONG:
    'the signature does not match, a parameter is sent twice with different values, or the request cannot be read (bad encoding; with HTTP 400, 408, 413 or 431 when the HTTP layer refused it: broken framing, a body not finished in time, too large a body or header)',
  METHOD_NOTNULL: '_mt is missing or empty',
  METHOD_NOTEXIST_CODE:
    'no enabled method _mt + _version, or the key is not granted it; or a path other than /m.api, such as /m.api/ (HTTP 404)',
  REQUESTMODE_NOTNULL:
    '_requestMode is missing, empty, or not post/get/put/delete; or the HTTP method is not GET, POST, PUT or DELETE (HTTP 405)',
  APPLICATIONID_NOTNULL: '_aid is missing or empty',
  APPLICATIONID_NOTSAME: "_aid is not this deployment's or not the key's",
  VERSION_NOTNULL: '_version is missing or empty',
  TIMESTAMP_NOTNULL: '_timestamp is missing or empty',
  TIMESTAMP_FORMAT_ERROR: '_timestamp is not a real yyyyMMddHHmmss time',
  TIMESTAMP_OVERTIME: '_timestamp is outside the window (default ±10 minutes, CST)',
  FORMAT_TYPE_NOTEXIST: '_format is not json or xml',
  CALL_LIMITED: 'over the per-second or per-day limit of the key or method (kaifang extension)',
  API_CALL_REPEAT: 'the same _akey + _sig was seen within the timestamp window',
  API_SYSTEM_CALL_ERROR: "the gateway or the method's upstream service failed (timeout, connection, non-2xx)",
  UNKNOWN_ERROR: 'unexpected error; reissue the request (logged with the request id)',
  PARAM_ERROR: 'open.gateway.authentication: orgid missing or not an integer',
  IDENTITY_INFORMATION_WRONG: "open.gateway.authentication: orgid is not the key's enterpriseId",
};

/** [code, codename, meaning], in the order of `CODES`: the seed's public codes, kaifang's 18, and the built-in method's business codes. */
export const RETURN_CODES: [number, Codename, string][] = (Object.entries(CODES) as [Codename, number][]).map(([name, code]) => [
  code,
  name,
  MEANINGS[name],
]);

const codeTable = [
  '| code | codename | meaning |',
  '| --- | --- | --- |',
  ...RETURN_CODES.map(([code, name, meaning]) => `| ${code} | ${name} | ${meaning} |`),
].join('\n');

const systemParams: { name: string; required: boolean; description: string; schema: Record<string, unknown> }[] = [
  {
    name: '_aid',
    required: true,
    description: 'platform system number of this deployment (KAIFANG_OPRETAIL_AID, default S107)',
    schema: { type: 'string', maxLength: 20, examples: ['S107'] },
  },
  {
    name: '_akey',
    required: true,
    description: 'developer key (applicationKey)',
    schema: { type: 'string', maxLength: 20, examples: ['S107-a1b2c3d4e5f6'] },
  },
  {
    name: '_mt',
    required: true,
    description: 'method name',
    schema: { type: 'string', maxLength: 100, examples: ['open.gateway.authentication'] },
  },
  {
    name: '_sm',
    required: true,
    description: 'signature method, any case',
    schema: { type: 'string', enum: ['md5', 'sha1', 'MD5', 'SHA1'] },
  },
  {
    name: '_requestMode',
    required: true,
    description: 'post, get, put or delete, any case',
    schema: { type: 'string', examples: ['post', 'POST'] },
  },
  { name: '_version', required: true, description: 'method version', schema: { type: 'string', examples: ['v1', 'v2'] } },
  {
    name: '_timestamp',
    required: true,
    description: 'yyyyMMddHHmmss, China Standard Time (UTC+8)',
    schema: { type: 'string', pattern: '^\\d{14}$', examples: ['20261121143000'] },
  },
  {
    name: '_sig',
    required: true,
    description: 'signature, see the operation description',
    schema: { type: 'string', examples: ['9A0DCE4A0AA58B5B4C2E4D31C1A5D3F1'] },
  },
  {
    name: '_format',
    required: false,
    description: 'json (default) or xml, any case',
    schema: { type: 'string', examples: ['json', 'xml'] },
  },
];

const requestObject = {
  type: 'object',
  required: systemParams.filter((p) => p.required).map((p) => p.name),
  properties: Object.fromEntries(systemParams.map((p) => [p.name, { ...p.schema, description: p.description }])),
  additionalProperties: { type: 'string', description: 'business parameters of the method, e.g. `orgid`' },
};

const envelope = {
  type: 'object',
  required: ['stat', 'result', 'data'],
  properties: {
    stat: {
      type: 'object',
      required: ['cid', 'code', 'codename', 'systime'],
      properties: {
        cid: { type: 'string', description: 'request id (also the X-Request-Id response header)' },
        code: {
          type: 'integer',
          description: 'return code (see the table in the operation description); a registered method may return its own business code',
          examples: RETURN_CODES.map(([c]) => c),
        },
        codename: { type: 'string', enum: RETURN_CODES.map(([, n]) => n) },
        systime: { type: 'integer', description: 'server time, ms since the epoch' },
      },
    },
    result: { type: 'string', description: 'a human message; on an error it names the parameter at fault' },
    data: { description: "the method's data; null on any error" },
  },
  examples: [
    {
      stat: { cid: '5f0c…', code: 0, codename: 'SUCCESS', systime: 1732170000000 },
      result: 'success',
      data: { id: 1, applicationKey: 'S107-a1b2c3d4e5f6' },
    },
    { stat: { cid: '5f0c…', code: 7, codename: 'SIGN_WRONG', systime: 1732170000000 }, result: 'invalid signature', data: null },
  ],
};

const description = `One URL for every method: \`_mt\` + \`_version\` name it; every other parameter is a business parameter.

**Signature.** Take every parameter except \`_sig\` (empty ones contribute their name), sort by name
(code-unit order), concatenate \`name1value1name2value2…\`, put the developer secret before and after,
and take the MD5 or SHA1 (\`_sm\`) of the UTF-8 bytes as uppercase hex. Query-string and body parameters
are merged. A JSON body is a flat object (numbers as decimal text, booleans as true/false, null as empty).

**Built-in method** \`open.gateway.authentication\` (v1, v2): business parameter \`orgid\` (the key's
enterpriseId); \`data\` is the key's record. Other methods are registered by the operator and forwarded
as a JSON POST to their upstream service, whose JSON body becomes \`data\`.

The HTTP status is 200 for every outcome; \`stat.code\` says what happened:

${codeTable}`;

const responses = {
  200: {
    description: 'the envelope (XML with root element `response` when `_format=xml`)',
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/OpretailEnvelope' } },
      'application/xml': { schema: { $ref: '#/components/schemas/OpretailEnvelope' } },
    },
  },
};

const environmentHeader = {
  name: 'environment',
  in: 'header',
  required: false,
  description: "formal, test or dev; test and dev route to the method's test URL",
  schema: { type: 'string', enum: ['formal', 'test', 'dev'] },
};

const common = { tags: ['opretail'], security: [], description, responses };

export const opretailFrontOpenApi: OpenApiFragment = {
  tags: [{ name: 'opretail', description: '万店掌 (Opretail) open-platform gateway, wire-compatible with openapi.opretail.com/m.api' }],
  paths: {
    '/m.api': {
      get: {
        ...common,
        operationId: 'opretailGatewayGet',
        summary: 'Call a gateway method, every parameter in the query string',
        parameters: [
          ...systemParams.map((p) => ({ name: p.name, in: 'query', required: p.required, description: p.description, schema: p.schema })),
          environmentHeader,
        ],
      },
      post: {
        ...common,
        operationId: 'opretailGatewayPost',
        summary: 'Call a gateway method, parameters in the body (and/or the query string)',
        parameters: [environmentHeader],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/OpretailRequest' } },
            'application/json': { schema: { $ref: '#/components/schemas/OpretailRequest' } },
          },
        },
      },
    },
  },
  components: { schemas: { OpretailRequest: requestObject, OpretailEnvelope: envelope } },
};
