import { escapeHtml, htmlPage } from '../../kernel/html.ts';

/** The small page the login broker shows a person whose WeChat login cannot go on. */
export function errorPage(title: string, detail: string): string {
  return htmlPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`);
}
