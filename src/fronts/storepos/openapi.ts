import type { OpenApiFragment } from '../kit/openapi.ts';
import { CODE } from './codes.ts';
import type { StoreposState } from './wire.ts';
import { COMMON } from './params.ts';

/**
 * The 超赢 (storepos) agent API in the OpenAPI document: the common parameters, the signature,
 * the signed reply and its state/code table, as in storepos.md. Documentation only; the front's
 * behaviour lives in this directory's other files. The tables are keyed by `StoreposState` and `CODE`, so
 * a state or code added to codes.ts without its meaning here fails the type check.
 */

const STATES: Record<StoreposState, string> = {
  SUCCESS:
    'the request was processed; `code` says whether its business outcome succeeded (an upstream refusal is SUCCESS with a failure code)',
  FAIL: 'the request was refused before any effect: parameters, signature, agent, frequency, or a system error',
  VER: "the caller's `version` is below the lowest the deployment serves (KAIFANG_STOREPOS_MIN_VERSION, default 1.0); `code` is 10004",
};

const MEANINGS: Record<keyof typeof CODE, string> = {
  OK: 'success',
  SIGN: 'signature error: `sign` does not match (in the sandbox, `msg` shows the string that was expected to be signed, key masked)',
  PARAM:
    "parameter error, `msg` names the parameter (FAIL); a wrong or expired SMS code, or a js_code WeChat refused (40029, 40163, 40226), `msg` carrying WeChat's errcode and errmsg (SUCCESS)",
  AGENT: 'agent error: `agent_id` is unknown or disabled',
  SYSTEM: 'system error: kaifang (FAIL) or WeChat / the SMS provider (SUCCESS, e.g. WeChat -1, a timeout, a provider refusal)',
  FREQUENCY: "too frequent (kaifang extension): over an SMS limit (FAIL, `msg` says how long to wait), or WeChat's 45011 (SUCCESS)",
};

const stateTable = ['| state | meaning |', '| --- | --- |', ...Object.entries(STATES).map(([s, m]) => `| ${s} | ${m} |`)].join('\n');
const codeTable = [
  '| code | meaning |',
  '| --- | --- |',
  ...(Object.entries(CODE) as [keyof typeof CODE, string][]).map(([name, code]) => `| ${code} | ${MEANINGS[name]} |`),
].join('\n');

const commonParams: Record<(typeof COMMON)[number], Record<string, unknown>> = {
  agent_id: {
    type: 'string',
    description: 'the agent number (17 digits when issued by kaifang; 1–32 digits when imported)',
    examples: ['13000000000000000'],
  },
  pid: { type: 'string', description: "the caller's product name", examples: ['storepos'] },
  version: { type: 'string', description: "the caller's version, dotted numbers compared numerically (1.10 > 1.9)", examples: ['1.0'] },
  sign: { type: 'string', description: 'MD5 signature, see the operation description', examples: ['A1B2C3D4E5F60718293A4B5C6D7E8F90'] },
};

/** A request schema: the common parameters plus the endpoint's own, all required. */
function requestSchema(own: Record<string, Record<string, unknown>>) {
  return {
    type: 'object',
    required: [...COMMON, ...Object.keys(own)],
    properties: { ...commonParams, ...own },
    additionalProperties: { type: 'string', description: 'extra parameters are accepted and signed like any other' },
  };
}

const mobile = { type: 'string', pattern: '^1[3-9]\\d{9}$', description: 'a mainland China mobile number', examples: ['13800138000'] };

const replyBase = {
  state: { type: 'string', enum: Object.keys(STATES), description: 'communication status (see the table in the operation description)' },
  code: {
    type: 'string',
    description: "result code as text (see the table); GetMchSMSValid puts the code's validity in minutes here on success",
    examples: Object.values(CODE),
  },
  msg: { type: 'string', description: 'a human message; on a parameter error it names the parameter' },
  sign: {
    type: 'string',
    description: 'MD5 over the reply\'s other non-empty fields with the agent key; "" when the agent cannot be identified',
  },
};

const reply = (extra: Record<string, unknown> = {}, examples: unknown[] = []) => ({
  type: 'object',
  required: ['state', 'code', 'msg', 'sign'],
  properties: { ...replyBase, ...extra },
  ...(examples.length ? { examples } : {}),
});

const signing = `**Signature** (as WeChat Pay v2). Take every parameter except \`sign\` whose value is not empty, sort
by name (code-unit order, case-sensitive), join as \`name=value\` with \`&\`, append \`&key=<agent key>\`,
and take the MD5 of the UTF-8 bytes as uppercase hex (compared case-insensitively). Extra parameters
are signed like any other. Replies are signed the same way over their own fields (all but \`sign\`,
non-empty, numbers as decimal text) with the same key; \`sign\` is "" when the agent is unknown.

**Body.** \`application/x-www-form-urlencoded\`, or a flat JSON object (a number is taken as its decimal
text, null as not sent). A missing or empty parameter, a parameter sent twice, another content
type, or a body that cannot be read is FAIL 10004 naming it.

The HTTP status is 200 for every outcome (405 for a method other than POST, 413 for a body over
KAIFANG_BODY_LIMIT, both in the same shape); \`state\` and \`code\` say what happened:

${stateTable}

${codeTable}`;

const endpoints: {
  path: string;
  operationId: string;
  summary: string;
  about: string;
  own: Record<string, Record<string, unknown>>;
  reply: string;
}[] = [
  {
    path: '/Mch/GetMchSMSValid',
    operationId: 'storeposGetMchSMSValid',
    summary: 'Send a 6-digit SMS verification code to a mobile',
    about: `Sends a 6-digit code through the configured SMS provider; a new send replaces the mobile's previous
unexpired code. On success \`code\` is **the code's validity in minutes** (KAIFANG_STOREPOS_SMS_VALID_MINUTES,
default \`"20"\`) and \`msg\` is \`短信验证码已发送\`, as in the seed. Limits, across processes (defaults, all
configurable): one send per mobile per 60 s, 10 per mobile per CST day, the agent's daily cap (10000);
over any → FAIL 10008 saying how long to wait.`,
    own: { mobile },
    reply: 'StoreposReply',
  },
  {
    path: '/Mch/CheckMchSMSValid',
    operationId: 'storeposCheckMchSMSValid',
    summary: 'Check an SMS verification code (kaifang extension)',
    about: `SUCCESS 10000 when \`valid_code\` is the mobile's current code; SUCCESS 10004 \`验证码错误或已过期\` when it is
wrong or expired. A code is consumed by its first correct check; five wrong checks destroy it. A
\`valid_code\` that is not 6 digits is FAIL 10004.`,
    own: { mobile, valid_code: { type: 'string', pattern: '^\\d{6}$', description: 'the 6 digits of the SMS', examples: ['123456'] } },
    reply: 'StoreposReply',
  },
  {
    path: '/Open/WXA_Code2Session',
    operationId: 'storeposWxaCode2Session',
    summary: "Exchange a WeChat mini-program login code for the user's identity",
    about: `Calls WeChat \`jscode2session\` with the mini-program's secret, which only the platform holds. An \`appid\`
that is unknown, disabled or not granted to the agent is FAIL 10004 naming \`appid\`. Success is
SUCCESS 10000 with \`openid\`, \`session_key\`, \`expires_in\` and, when WeChat returns one, \`unionid\`.
WeChat's refusals: 40029, 40163, 40226 → SUCCESS 10004; 45011 → SUCCESS 10008; -1, other errcodes,
timeouts → SUCCESS 10006, with WeChat's errcode and errmsg in \`msg\`.`,
    own: {
      appid: {
        type: 'string',
        description: 'a mini-program registered on the platform and granted to this agent',
        examples: ['wx1234567890abcdef'],
      },
      js_code: { type: 'string', maxLength: 256, description: 'the code from `wx.login`' },
    },
    reply: 'StoreposCode2SessionReply',
  },
];

const schemaName = (path: string) => `Storepos${path.split('/').pop()}Request`;

export const storeposFrontOpenApi: OpenApiFragment = {
  tags: [
    {
      name: 'storepos',
      description: '超赢 (storepos) agent API: SMS verification codes and WeChat mini-program login, signed with the agent key.',
    },
  ],
  paths: Object.fromEntries(
    endpoints.map((e) => [
      e.path,
      {
        post: {
          tags: ['storepos'],
          security: [],
          operationId: e.operationId,
          summary: e.summary,
          description: `${e.about}\n\n${signing}`,
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: { $ref: `#/components/schemas/${schemaName(e.path)}` } },
              'application/json': { schema: { $ref: `#/components/schemas/${schemaName(e.path)}` } },
            },
          },
          responses: {
            200: {
              description: 'the signed reply (`application/json; charset=utf-8`)',
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${e.reply}` } } },
            },
          },
        },
      },
    ]),
  ),
  components: {
    schemas: {
      ...Object.fromEntries(endpoints.map((e) => [schemaName(e.path), requestSchema(e.own)])),
      StoreposReply: reply({}, [
        { state: 'SUCCESS', code: '20', msg: '短信验证码已发送', sign: '0F1E2D3C4B5A69788796A5B4C3D2E1F0' },
        { state: 'FAIL', code: CODE.SIGN, msg: 'sign is wrong', sign: '0F1E2D3C4B5A69788796A5B4C3D2E1F0' },
        { state: 'FAIL', code: CODE.AGENT, msg: 'agent_id is not a known agent', sign: '' },
      ]),
      StoreposCode2SessionReply: reply(
        {
          openid: { type: 'string', description: 'on success' },
          session_key: { type: 'string', description: 'on success; never logged' },
          expires_in: { type: 'integer', description: 'on success, seconds (a number, 7200 as in the seed)', examples: [7200] },
          unionid: { type: 'string', description: 'on success, when WeChat returns one' },
        },
        [
          {
            state: 'SUCCESS',
            code: CODE.OK,
            msg: 'SUCCESS',
            openid: 'oAbCd1234567890',
            session_key: 'tiihtNczf5v6AKRyjwEUhQ==',
            expires_in: 7200,
            sign: '0F1E2D3C4B5A69788796A5B4C3D2E1F0',
          },
          {
            state: 'SUCCESS',
            code: CODE.PARAM,
            msg: '微信返回 errcode=40029 errmsg=invalid code',
            sign: '0F1E2D3C4B5A69788796A5B4C3D2E1F0',
          },
        ],
      ),
    },
  },
};
