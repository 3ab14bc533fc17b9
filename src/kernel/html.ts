/** Small self-contained HTML pages (no external assets) for the few places kaifang answers a browser. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const STYLE =
  'body{font-family:system-ui,-apple-system,"PingFang SC",sans-serif;margin:3em auto;max-width:28em;padding:0 1em;color:#333}h1{font-size:1.3em}p{color:#666}';

/** A whole page: `title` is escaped, `body` is HTML the caller built (escaping what it inserts). */
export function htmlPage(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${STYLE}${extraStyle}</style></head>
<body>${body}</body></html>`;
}
