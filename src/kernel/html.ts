import { createHash } from 'node:crypto';

/** Small self-contained HTML pages (no external assets) for the few places kaifang answers a browser. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

// Text colours keep WCAG AA contrast on white (#333 12.6:1, #595959 7:1).
const STYLE =
  'body{font-family:system-ui,-apple-system,"PingFang SC",sans-serif;margin:3em auto;max-width:28em;padding:0 1em;color:#333;line-height:1.5}h1{font-size:1.3em}p{color:#595959}';

/** A whole page: `title` is escaped, `body` is HTML the caller built (escaping what it inserts). */
export function htmlPage(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${STYLE}${extraStyle}</style></head>
<body>${body}</body></html>`;
}

/**
 * The headers of a page built by `htmlPage` with `extraStyle`: a Content-Security-Policy that allows
 * nothing but that page's own style (by its hash: no script, no frame, no other origin), no framing
 * (X-Frame-Options for older browsers too), no sniffing, and no Referer — these pages' URLs carry
 * one-time codes and states that a link off the page must not hand on.
 */
export function pageHeaders(extraStyle = ''): Record<string, string> {
  const hash = createHash('sha256')
    .update(STYLE + extraStyle)
    .digest('base64');
  return {
    'content-security-policy': `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
