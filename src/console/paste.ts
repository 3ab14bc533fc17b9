import type { PastedRequest } from '../fronts/kit/debugger.ts';

/**
 * Reads what a partner pastes into the debugger: a curl command line (-X, -H, -d, --data…, --json,
 * the URL), a URL, or a bare body (JSON, or a form string) with the path given beside it.
 */

/** Splits a shell line into words: single and double quotes, backslash escapes and line continuations. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && line[i + 1] === '\n') {
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export function parsePasted(text: string, defaultPath: string): PastedRequest {
  const trimmed = text.trim();
  let method = '';
  let url = '';
  let body = '';
  let contentType = '';
  if (/^curl\s/.test(trimmed)) {
    const words = shellWords(trimmed).slice(1);
    const data: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const next = () => words[++i] ?? '';
      if (word === '-X' || word === '--request') method = next().toUpperCase();
      else if (word === '-H' || word === '--header') {
        const header = next();
        const colon = header.indexOf(':');
        if (colon > 0 && header.slice(0, colon).trim().toLowerCase() === 'content-type') contentType = header.slice(colon + 1).trim();
      } else if (['-d', '--data', '--data-raw', '--data-binary', '--data-ascii', '--data-urlencode'].includes(word)) data.push(next());
      else if (word === '--json') {
        data.push(next());
        contentType ||= 'application/json';
      } else if (word.startsWith('-X') && word.length > 2) method = word.slice(2).toUpperCase();
      else if (word.startsWith('--') || (word.startsWith('-') && word.length === 2)) {
        if (['-o', '-u', '-A', '-e', '--output', '--user', '--connect-timeout', '-m', '--max-time'].includes(word)) next();
      } else if (!url) url = word;
    }
    body = data.join('&');
    if (body && !method) method = 'POST';
    if (body && !contentType) contentType = body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded';
  } else if (/^(https?:\/\/|\/)\S*$/.test(trimmed)) {
    url = trimmed;
  } else {
    body = trimmed;
    url = defaultPath;
    method = 'POST';
    contentType = trimmed.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded';
  }
  const parsed = new URL(url || defaultPath || '/', location.origin);
  const query = [...parsed.searchParams];
  const params: Record<string, string> = {};
  const counts = new Map<string, number>();
  const add = (name: string, value: string) => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (!(name in params)) params[name] = value;
  };
  for (const [n, v] of query) add(n, v);
  let json: Record<string, unknown> | undefined;
  if (body && contentType.includes('json')) {
    try {
      const value = JSON.parse(body) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        json = value as Record<string, unknown>;
        for (const [n, v] of Object.entries(json))
          add(n, v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
    } catch {
      /* not JSON: the checks say so */
    }
  } else if (body) {
    for (const [n, v] of new URLSearchParams(body)) add(n, v);
  }
  return {
    method: method || 'GET',
    path: parsed.pathname,
    query,
    contentType,
    body,
    params,
    ...(json ? { json } : {}),
    repeated: [...counts].filter(([, n]) => n > 1).map(([name]) => name),
  };
}
