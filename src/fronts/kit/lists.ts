// Kept apart from adminValidation.ts (Ajv, Fastify): the CLI's commands build lists too, and load neither.

/**
 * The admin API's one list shape: the records under the resource's plural name, `total` (how many
 * match the same filter, all pages), and the page's `limit` and `offset`.
 */
export function listReply<F extends string, T>(
  field: F,
  items: T[],
  total: number,
  page: { limit?: number; offset?: number } = {},
): { [K in F]: T[] } & { total: number; limit: number; offset: number } {
  return { [field]: items, total, limit: page.limit ?? 100, offset: page.offset ?? 0 } as { [K in F]: T[] } & {
    total: number;
    limit: number;
    offset: number;
  };
}
