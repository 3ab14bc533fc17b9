/**
 * What a front declares to get its pages in the operator console (`/console/`): its resources,
 * each a list with columns, a form to create or import, fields to edit, actions, and sections of
 * related records on a resource's page. All of it is data (served to the page as JSON by
 * `/console/api/fronts`); the forms are the admin routes' own JSON schemas, so the console asks
 * for exactly what the admin API validates. The shell names no front: it draws whatever the
 * descriptors declare. Nothing here imports anything.
 */

/** A text in the console's two languages. */
export interface Words {
  en: string;
  zh: string;
}

/** How a value is shown in a list or on a page. */
export type ColumnKind = 'text' | 'code' | 'status' | 'time' | 'list' | 'bool' | 'json' | 'number';

export interface ConsoleColumn {
  field: string;
  label: Words;
  kind?: ColumnKind;
}

/** A JSON schema, as the admin routes validate with (type, properties, required, enum, description…). */
export type JsonSchema = Record<string, unknown>;

/** A button on a resource's page: `POST|PUT|DELETE /admin/api/<front><path>/{id}<suffix>`. */
export interface ConsoleAction {
  /** Path after the resource's own, e.g. `/disable`. */
  suffix: string;
  method?: 'POST' | 'PUT' | 'DELETE';
  label: Words;
  /** Shown only when the resource's `field` equals `value` (e.g. disable only when enabled). */
  when?: { field: string; value: unknown };
  /** A form to fill first: the route's body schema. */
  body?: JsonSchema;
  /** Ask before acting (it cannot be undone, or it stops calls). */
  confirm?: boolean;
  /** Fields of the reply to show once, with a copy button (a rotated secret). */
  reveals?: readonly string[];
  /** The action deletes the record: the console goes back to the list after it. */
  deletes?: boolean;
}

/** Related records on a resource's page (a key's grants, a merchant's channels). */
export interface ConsoleSection {
  title: Words;
  /** Under the resource's path: `/grants` → `/admin/api/<front>/keys/{id}/grants`; or absolute under the front with `{id}`. */
  path: string;
  /** The reply's array. */
  listField: string;
  columns: readonly ConsoleColumn[];
  /** Adds a record: the path (with `{field}` placeholders filled from the form, `{id}` from the resource) and its fields. */
  add?: { label: Words; method: 'PUT' | 'POST'; path: string; body?: JsonSchema; pathFields?: JsonSchema };
  /** Removes a record: `DELETE` on this path, placeholders from the row. */
  remove?: { label: Words; path: string };
  /** A note under the title. */
  note?: Words;
}

export interface ConsoleResource {
  /** In the page's address: `#/f/<front>/<id>`. */
  id: string;
  title: Words;
  /** Under `/admin/api/<front>`: the collection, e.g. `/keys`. */
  path: string;
  /** The list reply's array, e.g. `keys`. */
  listField: string;
  /** The field that names one record in the path (`/keys/{applicationKey}`); a path template for records named by several. */
  key: string;
  /** `{name}/{version}` when a record is named by several fields. */
  keyPath?: string;
  /** No list to show: the resource is only made (a one-time ticket). */
  noList?: boolean;
  /** The list is paged with `limit` and `offset` (else it comes whole, or up to its `limit`). */
  paged?: boolean;
  /** Query parameters the list also takes, as filters (`isvNo`, `openid`, `q`). */
  filters?: readonly { name: string; label: Words }[];
  /** Whether one record can be fetched by `GET <path>/{key}` (else the page shows the list's row). */
  show?: boolean;
  columns: readonly ConsoleColumn[];
  /** `POST <path>`: the route's body schema; `reveals` are shown once after. */
  create?: { label: Words; body: JsonSchema; reveals?: readonly string[] };
  /** `PATCH <path>/{key}`: the route's body schema (a blank field keeps the stored value). */
  edit?: { body: JsonSchema };
  actions?: readonly ConsoleAction[];
  sections?: readonly ConsoleSection[];
}

/** A panel of the console's sandbox page that belongs to a front (a list that updates itself). */
export interface SandboxFeed {
  title: Words;
  /** Under `/admin/api/<front>`. */
  path: string;
  listField: string;
  columns: readonly ConsoleColumn[];
}

/** A front's part of the console. */
export interface FrontConsole {
  /** The platform's own name for it, as the platform writes it (万店掌); the console shows it in both languages. */
  label: Words;
  resources: readonly ConsoleResource[];
  /**
   * Whether an outcome of the call log is a success (the rest are refusals on the chart). Runs on
   * the server; the front's own outcome codes stay in its folder.
   */
  succeeded(outcome: string, endpoint: string): boolean;
  /** Sandbox-mode panels of this front (e.g. the 微厅 logins). */
  sandboxFeeds?: readonly SandboxFeed[];
}

/** The schema of a body with only the named properties of `schema` (a form that asks less than the route takes). */
export function pick(schema: JsonSchema, names: readonly string[]): JsonSchema {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = ((schema.required ?? []) as string[]).filter((n) => names.includes(n));
  return { ...schema, properties: Object.fromEntries(names.filter((n) => n in properties).map((n) => [n, properties[n]])), required };
}

/** `{ en, zh }`. */
export const words = (en: string, zh: string): Words => ({ en, zh });

/** The columns every resource has at its end. */
export const STATUS_COLUMN: ConsoleColumn = { field: 'status', label: words('Status', '状态'), kind: 'status' };
export const CREATED_COLUMN: ConsoleColumn = { field: 'createdAt', label: words('Created', '创建时间'), kind: 'time' };

/** Disable / enable, shown by the record's status. */
export const SWITCH_ACTIONS: readonly ConsoleAction[] = [
  { suffix: '/disable', label: words('Disable', '停用'), when: { field: 'status', value: 'enabled' }, confirm: true },
  { suffix: '/enable', label: words('Enable', '启用'), when: { field: 'status', value: 'disabled' } },
];

/** The list takes `q` (every admin list of a resource does): the console's search box asks the server. */
export const SEARCH: readonly { name: string; label: Words }[] = [{ name: 'q', label: words('Search', '搜索') }];

/** `POST …/rotate-secret`: a new secret made up by the server, shown once as `secret`. */
export const ROTATE_SECRET: ConsoleAction = {
  suffix: '/rotate-secret',
  label: words('Rotate secret', '更换密钥'),
  confirm: true,
  reveals: ['secret'],
};

/** `POST …/set-secret`: the secret the operator gives (`body`: the route's schema). */
export function setSecretAction(body: JsonSchema, label: Words = words('Set secret', '设置密钥')): ConsoleAction {
  return { suffix: '/set-secret', label, body, confirm: true };
}

/** `DELETE …/{id}`, after a confirmation; with `cascade`, a second button that deletes what hangs off it too. */
export function deleteActions(cascade?: Words): readonly ConsoleAction[] {
  const plain: ConsoleAction = { suffix: '', method: 'DELETE', label: words('Delete', '删除'), confirm: true, deletes: true };
  return cascade ? [plain, { suffix: '?cascade=true', method: 'DELETE', label: cascade, confirm: true, deletes: true }] : [plain];
}
