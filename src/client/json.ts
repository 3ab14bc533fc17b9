/**
 * Reads a reply body as one JSON object, or says in `fail` (the client's own protocol error) why
 * it is not: the clients share this so each names the path and the HTTP status the same way.
 */
export async function jsonObjectReply(res: Response, path: string, fail: (message: string) => Error): Promise<Record<string, unknown>> {
  const text = await res.text();
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw fail(`${path} answered HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply))
    throw fail(`${path} answered HTTP ${res.status} with JSON that is not an object`);
  return reply as Record<string, unknown>;
}
