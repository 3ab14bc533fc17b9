/** JSON schemas of `/admin/api/weiting`: the routes validate with them and the OpenAPI document is built from them. */

const name = { type: 'string', description: '1–100 characters' };
const hosts = {
  type: 'array',
  items: { type: 'string' },
  maxItems: 50,
  description: 'host names the login broker may send users back to: partner.example.com, *.example.com, 127.0.0.1:8080',
};
const limit = {
  type: ['integer', 'null'],
  minimum: 1,
  maximum: 1_000_000,
  description: 'access tokens per China day; null = KAIFANG_WEITING_TOKEN_DAILY_LIMIT',
};

export const appParams = { type: 'object', properties: { appid: { type: 'string' } }, required: ['appid'] };
export const createAppBody = {
  type: 'object',
  properties: {
    name,
    allowedHosts: hosts,
    dailyTokenLimit: limit,
    appid: { type: 'string', description: 'import an existing appid (1–64 letters, digits, _ or -); default wt + 16 hex digits' },
    secret: {
      type: 'string',
      description:
        'import an existing secret as it is (1–128 printable ASCII; shorter than 16 with a warning); default 32 random characters',
    },
  },
  required: ['name'],
  additionalProperties: false,
};
export const updateAppBody = {
  type: 'object',
  properties: { name, allowedHosts: hosts, dailyTokenLimit: limit },
  minProperties: 1,
  additionalProperties: false,
};
export const rotateBody = {
  type: ['object', 'null'],
  properties: { secret: { type: 'string', description: 'the new secret (16–128 printable ASCII); absent = 32 random characters' } },
  additionalProperties: false,
};
export const ticketBody = {
  type: 'object',
  properties: { mobile: { type: 'string', description: 'the logged-in mobile number the ticket stands for', examples: ['17717463317'] } },
  required: ['mobile'],
  additionalProperties: false,
};
export const userParams = { type: 'object', properties: { openid: { type: 'string' } }, required: ['openid'] };
/** The record lists (notices, orders, logins): one user, a search text, a page. */
export const listQuery = {
  type: 'object',
  properties: {
    openid: { type: 'string', maxLength: 64, description: 'only this user' },
    q: { type: 'string', maxLength: 100, description: 'in the openid (and, for reports, the device number), case-insensitive' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
  additionalProperties: false,
};

const timestamp = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' };
export const appView = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    allowedHosts: { type: 'array', items: { type: 'string' } },
    dailyTokenLimit: { type: ['integer', 'null'] },
    secret: { type: 'string', description: 'only in the replies of create and rotate-secret' },
    warnings: { type: 'array', items: { type: 'string' } },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
};
export const importReport = {
  type: 'object',
  properties: {
    rows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          line: { type: 'integer' },
          openid: { type: 'string' },
          result: { type: 'string', enum: ['created', 'updated', 'skipped', 'refused'] },
          reason: { type: 'string' },
        },
      },
    },
    counts: {
      type: 'object',
      properties: {
        created: { type: 'integer' },
        updated: { type: 'integer' },
        skipped: { type: 'integer' },
        refused: { type: 'integer' },
      },
    },
  },
};
export const userView = {
  type: 'object',
  properties: {
    publicId: { type: 'string', description: "the seed's _id (24 hex digits)" },
    openid: { type: 'string' },
    nickname: { type: 'string' },
    headimg: { type: 'string' },
    createdAt: timestamp,
    updatedAt: timestamp,
    accounts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          deviceno: { type: 'string' },
          devicename: { type: 'string' },
          bpn: { type: 'string' },
          sort: { type: 'string' },
          boundAt: timestamp,
        },
      },
    },
  },
};
export const noticeView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    appid: { type: 'string' },
    openid: { type: 'string' },
    fields: {
      type: 'object',
      properties: {
        openid: { type: 'string' },
        first: { type: 'string' },
        activity: { type: 'string' },
        prize: { type: 'string' },
        remark: { type: 'string' },
        url: { type: 'string' },
      },
    },
    outcome: { type: 'string', enum: ['sent', 'refused', 'unavailable', 'limited'] },
    msgid: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    createdAt: timestamp,
  },
};
export const orderView = {
  type: 'object',
  properties: {
    orderNo: { type: 'string', description: 'China time to the millisecond and 6 random digits' },
    appid: { type: 'string' },
    openid: { type: 'string' },
    deviceno: { type: 'string' },
    fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'every field the partner sent' },
    createdAt: timestamp,
  },
};
