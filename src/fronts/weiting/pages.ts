import { escapeHtml, htmlPage, pageHeaders } from '../../kernel/html.ts';

/**
 * Why a WeChat login did not come back with a code, as the partner's URL is told it
 * (`error=<this>`, no `code`): the user said no, the login link was too old or used, WeChat
 * refused the code, or WeChat was busy or out of reach (worth trying again).
 */
export type LoginError = 'access_denied' | 'login_expired' | 'server_error' | 'temporarily_unavailable';

// 返回 is a link that must look like one: WCAG AA on white (#06793c is 5.4:1), a hit area of 44 px.
const STYLE =
  '.back{display:inline-block;margin-top:1em;padding:.7em 1.4em;min-height:44px;box-sizing:border-box;border-radius:6px;background:#06793c;color:#fff;text-decoration:none;font-weight:600}.back:focus{outline:3px solid #0b57d0;outline-offset:2px}.rid{font-size:.85em;color:#595959;word-break:break-all}';

/** The page's headers: its own style only, never framed, no Referer (see pageHeaders). */
export const ERROR_PAGE_HEADERS = pageHeaders(STYLE);

/**
 * The small page the login broker shows a person whose WeChat login cannot go on: in Chinese, with
 * a 返回 link to the partner's page (which learns why from `error`) when kaifang knows it, and the
 * request id to quote to support.
 */
export function errorPage(page: { title: string; detail: string; back?: string | undefined; requestId: string }): string {
  const back = page.back ? `<p><a class="back" id="back" href="${escapeHtml(page.back)}">返回</a></p>` : '';
  return htmlPage(
    page.title,
    `<main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.detail)}</p>${back}<p class="rid">请求编号：<span id="request-id">${escapeHtml(page.requestId)}</span></p></main>`,
    STYLE,
  );
}

/** The partner's URL with `error` added to its query (its own query and fragment kept), no code. */
export function partnerUrlWithError(partnerUrl: string, error: LoginError): string {
  const url = new URL(partnerUrl);
  url.searchParams.append('error', error);
  return url.toString();
}
