import type { FastifyInstance } from 'fastify';
import { escapeHtml, htmlPage } from '../kernel/html.ts';

/**
 * `GET /sandbox/partner`: stands in for a partner's page at the end of a 微厅 WeChat login, so the
 * demo and a person trying the sandbox have somewhere to land. It shows what arrived (the platform
 * `code` among it) and how to turn the code into the openid.
 */
export async function partnerPage(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const rows = Object.entries(query)
      .map(
        ([name, value]) =>
          `<tr><th>${escapeHtml(name)}</th><td><code id="param-${escapeHtml(name)}">${escapeHtml(String(value))}</code></td></tr>`,
      )
      .join('');
    const body = `<h1>合作方页面（沙箱）</h1>
<p>This page stands in for the partner's own. The login came back with:</p>
<table>${rows || '<tr><td>(no parameters)</td></tr>'}</table>
<p>The partner's server now calls <code>POST /service/wxoauth/2.0/getOpenidByCode?access_token=…</code> with <code>code</code>, within 5 minutes, once.</p>`;
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(htmlPage('合作方页面 · kaifang 沙箱', body, 'th{text-align:left;padding-right:1em}code{word-break:break-all}'));
  });
}
