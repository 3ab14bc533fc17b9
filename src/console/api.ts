/**
 * The console's requests: same origin, the session cookie (HttpOnly: the page never sees it),
 * and on every write the session's CSRF token. The admin token is typed once into the sign-in
 * form and sent once; the page keeps no copy of it anywhere.
 */

let csrf = '';
let onSignedOut: () => void = () => undefined;

export function setCsrf(token: string): void {
  csrf = token;
}
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const write = method !== 'GET' && method !== 'HEAD';
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(write ? { 'x-csrf-token': csrf } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    if (res.status === 401 && !path.endsWith('/console/api/session')) onSignedOut();
    const err = (data as { error?: { message?: string; param?: string } } | null)?.error;
    throw new ApiError(res.status, err?.message ?? `HTTP ${res.status}`, err?.param);
  }
  return data as T;
}
