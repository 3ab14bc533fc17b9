import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { ConsoleAction, ConsoleColumn, ConsoleResource, ConsoleSection, JsonSchema } from '../fronts/kit/console.ts';
import { ApiError, api, setCsrf, whenSignedOut } from './api.ts';
import type { ChartData } from './chart.ts';
import { copy, field, fill, h, status } from './dom.ts';
import { currentLang, initialLang, setLang, t, w, type Words } from './i18n.ts';

/**
 * The operator console, `/console/`. Signs in with the admin token (a form; the server answers
 * with a session cookie the page never sees), then draws every page from what the server says:
 * the fronts' declarations (`/console/api/fronts`: resources, columns, forms from the admin
 * routes' schemas, actions), the figures at a glance, the call log and its chart, and the
 * sandbox. No front is named here.
 */

interface FrontView {
  name: string;
  title: string;
  label: Words;
  resources: ConsoleResource[];
  sandboxFeeds?: { title: Words; path: string; listField: string; columns: ConsoleColumn[] }[];
}

type Row = Record<string, unknown>;

const app = document.getElementById('app') as HTMLElement;
let fronts: FrontView[] = [];
let sandboxMode = false;
/** The session's token: a read-only one is offered no create form; one limited to some fronts gets no platform pages. */
type SignedInAs = { name: string; scope: 'root' | 'write' | 'read'; fronts: string[] | null };
let signedInAs: SignedInAs | undefined;
/** Timers of the page on screen (refreshes): cleared when another page is drawn. */
let timers: number[] = [];
const every = (ms: number, fn: () => void) => {
  fn();
  timers.push(window.setInterval(fn, ms));
};

const frontLabel = (name: string) => w(fronts.find((f) => f.name === name)?.label) || name;

// --- Start: the language, then the session or the sign-in form.
setLang(initialLang());
whenSignedOut(() => signInPage(t('expired')));
void start();

async function start(): Promise<void> {
  try {
    const session = await api<{ csrf: string; token?: SignedInAs }>('GET', '/console/api/session');
    setCsrf(session.csrf);
    signedInAs = session.token;
    await loadShell();
  } catch {
    signInPage();
  }
}

function signInPage(message?: string): void {
  stopTimers();
  document.title = `${t('signIn')} · ${t('console')}`;
  document.querySelector('nav.side')?.remove();
  document.querySelector('.skip')?.remove();
  const header = h('header', { class: 'top' }, h('h1', {}, t('console')));
  const old = document.querySelector('header.top');
  if (old) old.replaceWith(header);
  else document.body.prepend(header);
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  if (message) status(note, message, 'info');
  const submit = h('button', { type: 'submit' }, t('signIn'));
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, t('signIn')),
    field(t('adminToken'), token, t('adminTokenHint')),
    note,
    h('div', { class: 'row' }, submit),
  );
  header.append(langButton());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const session = await api<{ csrf: string; token?: SignedInAs }>('POST', '/console/api/session', { token: token.value });
      token.value = '';
      setCsrf(session.csrf);
      signedInAs = session.token;
      await loadShell();
    } catch (err) {
      status(note, err instanceof ApiError && err.status === 401 ? t('wrongToken') : String((err as Error).message), 'error');
      token.select();
    } finally {
      submit.disabled = false;
    }
  });
  fill(app, form);
  app.removeAttribute('aria-busy');
  performance.mark('kaifang:ready');
  token.focus();
}

function langButton(): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      lang: currentLang() === 'en' ? 'zh-CN' : 'en',
      'aria-label': t('switchLanguage'),
      onclick: () => {
        setLang(currentLang() === 'en' ? 'zh' : 'en');
        if (fronts.length) drawShell();
        else signInPage();
      },
    },
    t('language'),
  );
}

async function loadShell(): Promise<void> {
  const data = await api<{ fronts: FrontView[]; sandbox: boolean }>('GET', '/console/api/fronts');
  fronts = data.fronts;
  sandboxMode = data.sandbox;
  drawShell();
  window.onhashchange = () => route();
}

function drawShell(): void {
  document.querySelector('header.top')?.remove();
  document.querySelector('nav.side')?.remove();
  document.querySelector('.skip')?.remove();
  const signOut = h('button', { type: 'button', onclick: () => void doSignOut() }, t('signOut'));
  const readOnly = signedInAs?.scope === 'read' ? h('span', { class: 'badge warn' }, t('readOnlySession')) : null;
  const header = h('header', { class: 'top' }, h('h1', {}, t('console')), readOnly, langButton(), signOut);
  const nav = h('nav', { class: 'side', 'aria-label': t('menu') });
  // A token limited to some fronts sees only their pages: the platform's show every front.
  const everyFront = (signedInAs?.fronts ?? null) === null;
  const links: [string, string][] = everyFront
    ? [
        ['#/overview', t('overview')],
        ['#/calls', t('calls')],
        ['#/audit', t('audit')],
        ...(sandboxMode ? ([['#/sandbox', t('sandbox')]] as [string, string][]) : []),
      ]
    : [];
  const list = h(
    'ul',
    {},
    links.map(([href, text]) => h('li', {}, h('a', { href }, text))),
  );
  nav.append(list);
  for (const f of fronts) {
    nav.append(
      h('h2', { lang: 'zh-CN' }, w(f.label)),
      h(
        'ul',
        {},
        f.resources.map((r) => h('li', {}, h('a', { href: `#/f/${f.name}/${r.id}` }, w(r.title)))),
      ),
    );
  }
  const skip = h('a', { class: 'skip', href: '#app' }, t('skip'));
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    app.focus();
  });
  app.setAttribute('tabindex', '-1');
  const shell = document.querySelector('.shell') ?? h('div', { class: 'shell' });
  document.body.prepend(skip, header);
  shell.replaceChildren(nav, app);
  if (!shell.parentElement) document.body.append(shell);
  route();
}

async function doSignOut(): Promise<void> {
  try {
    await api('DELETE', '/console/api/session');
  } finally {
    fronts = [];
    document.querySelector('.skip')?.remove();
    signInPage(t('signedOut'));
  }
}

function stopTimers(): void {
  for (const id of timers) clearInterval(id);
  timers = [];
}

// --- Routing: #/overview, #/calls?…, #/sandbox, #/f/<front>/<resource>[/<id…>]?…
function route(): void {
  stopTimers();
  const hash = location.hash || '#/overview';
  const [path, query = ''] = hash.slice(1).split('?') as [string, string?];
  const params = new URLSearchParams(query);
  for (const a of document.querySelectorAll('nav.side a')) {
    const href = a.getAttribute('href') ?? '';
    if (hash === href || hash.startsWith(`${href}/`) || hash.startsWith(`${href}?`)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  app.removeAttribute('aria-busy');
  // A token limited to some fronts has only their pages.
  const limited = signedInAs?.fronts ?? null;
  if (limited !== null && !(parts[0] === 'f' && limited.includes(parts[1] ?? ''))) {
    const first = fronts.find((f) => limited.includes(f.name));
    if (first?.resources[0]) {
      go(`#/f/${first.name}/${first.resources[0].id}`);
      return;
    }
  }
  if (parts[0] === 'calls') {
    callsPage(params);
    return;
  }
  if (parts[0] === 'sandbox') {
    sandboxPage();
    return;
  }
  if (parts[0] === 'audit') {
    auditPage(params);
    return;
  }
  if (parts[0] === 'f' && parts[1] && parts[2]) {
    const front = fronts.find((f) => f.name === parts[1]);
    const resource = front?.resources.find((r) => r.id === parts[2]);
    if (front && resource) {
      if (parts.length > 3) return void recordPage(front, resource, parts.slice(3));
      return void listPage(front, resource, params);
    }
  }
  overviewPage();
}

const go = (hash: string) => {
  if (location.hash === hash) route();
  else location.hash = hash;
};

function page(title: string, ...children: (Node | string | null | false | Node[])[]): void {
  document.title = `${title} · ${t('console')}`;
  fill(app, h('h2', {}, title), ...children);
}

// --- Values as shown.
function show(value: unknown, kind: ConsoleColumn['kind'] = 'text'): Node | string {
  if (value === null || value === undefined || value === '') return '—';
  switch (kind) {
    case 'time':
      return h('time', { datetime: String(value) }, new Date(String(value)).toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB'));
    case 'status': {
      const text = String(value);
      const good = ['enabled', 'sent', '1', 'true'].includes(text);
      return h('span', { class: `badge ${good ? 'ok' : 'bad'}` }, text);
    }
    case 'bool':
      return h('span', { class: `badge ${value ? 'ok' : 'bad'}` }, value ? t('yes') : t('no'));
    case 'list':
      return Array.isArray(value) ? value.join(', ') || '—' : String(value);
    case 'json':
      return h('code', {}, JSON.stringify(value));
    case 'code':
      return h('code', {}, String(value));
    default:
      // A time the admin API writes (ISO 8601 UTC) is shown in the reader's time.
      if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return show(value, 'time');
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function table(
  caption: string,
  columns: readonly ConsoleColumn[],
  rows: Row[],
  link?: (row: Row) => string | undefined,
  extra?: (row: Row) => Node | null,
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'hint' }, t('noRows'));
  const head = h(
    'tr',
    {},
    columns.map((c) => h('th', { scope: 'col' }, w(c.label))),
    extra ? h('th', { scope: 'col' }, t('actions')) : null,
  );
  const body = rows.map((row) => {
    const href = link?.(row);
    return h(
      'tr',
      {},
      columns.map((c, i) => {
        const content = show(row[c.field], c.kind);
        return h('td', {}, i === 0 && href ? h('a', { href }, content) : content);
      }),
      extra ? h('td', {}, extra(row)) : null,
    );
  });
  return h('div', { class: 'table-wrap' }, h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, body)));
}

/** A captioned table of rows already made, under column headings (the call log's, the audit trail's). */
function rowsTable(caption: string, heads: readonly string[], rows: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          heads.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

// --- At a glance.
function overviewPage(): void {
  const info = h('div', { class: 'panel' });
  const cards = h('div', { class: 'cards' });
  const upstream = h('div');
  const note = h('p', { class: 'hint' }, t('refreshing'));
  page(t('overview'), note, info, h('h3', {}, t('front')), cards, h('h3', {}, t('upstream')), upstream);
  let previous: { at: number; totals: Record<string, number> } | undefined;
  every(5000, async () => {
    type Overview = {
      info: { version: string; store: { kind: string; where: string }; state: string; mode: string; processes: number | null };
      fronts: Record<string, { requests: number; refusals: Record<string, number>; p99Seconds: number | null }>;
      upstream: Record<string, Record<string, number>>;
    };
    let o: Overview;
    try {
      o = await api<Overview>('GET', '/console/api/overview');
    } catch {
      return;
    }
    const now = Date.now();
    fill(
      info,
      h(
        'dl',
        { class: 'props' },
        h('dt', {}, t('version')),
        h('dd', {}, o.info.version),
        h('dt', {}, t('store')),
        h('dd', {}, `${o.info.store.kind}: `, h('code', {}, o.info.store.where)),
        h('dt', {}, t('state')),
        h('dd', {}, o.info.state),
        h('dt', {}, t('mode')),
        h('dd', {}, h('span', { class: `badge ${o.info.mode === 'sandbox' ? 'warn' : 'ok'}` }, o.info.mode)),
        h('dt', {}, t('processes')),
        h('dd', {}, o.info.processes === null ? t('unknown') : String(o.info.processes)),
      ),
    );
    const names = [...new Set([...fronts.map((f) => f.name), ...Object.keys(o.fronts)])].filter(
      (n) => o.fronts[n] || fronts.some((f) => f.name === n && f.resources.length),
    );
    fill(
      cards,
      names.map((name) => {
        const f = o.fronts[name] ?? { requests: 0, refusals: {}, p99Seconds: null };
        const rate = previous ? (f.requests - (previous.totals[name] ?? 0)) / ((now - previous.at) / 1000) : null;
        const refusals = Object.entries(f.refusals);
        return h(
          'section',
          { class: 'panel', 'aria-label': frontLabel(name) },
          h('h3', { lang: 'zh-CN' }, frontLabel(name)),
          h(
            'dl',
            { class: 'props' },
            h('dt', {}, t('reqPerSec')),
            h('dd', {}, rate === null ? '…' : rate.toFixed(1)),
            h('dt', {}, t('requests')),
            h('dd', {}, String(f.requests)),
            h('dt', {}, t('p99')),
            h('dd', {}, f.p99Seconds === null ? '—' : `≤ ${(f.p99Seconds * 1000).toFixed(1)} ms`),
            h('dt', {}, t('refusals')),
            h('dd', {}, refusals.length ? refusals.map(([code, n]) => `${code}: ${n}`).join(', ') : t('none')),
          ),
        );
      }),
    );
    previous = { at: now, totals: Object.fromEntries(Object.entries(o.fronts).map(([n, f]) => [n, f.requests])) };
    const rows = Object.entries(o.upstream).map(([name, counts]) => ({ name, ...counts }));
    fill(
      upstream,
      table(
        t('upstream'),
        [
          { field: 'name', label: { en: 'Service', zh: '服务' }, kind: 'code' },
          { field: 'ok', label: { en: 'ok', zh: '成功' }, kind: 'number' },
          { field: 'rejected', label: { en: 'rejected', zh: '被拒' }, kind: 'number' },
          { field: 'unavailable', label: { en: 'failed', zh: '失败' }, kind: 'number' },
        ],
        rows,
      ),
    );
  });
}

// --- Filter forms (the call log's, the audit trail's).
/** A filter form's controls, each filled from the page's query. */
function filterControls(params: URLSearchParams) {
  const choice = (name: string, label: string, options: readonly (string | { value: string; label: string })[]) =>
    field(
      label,
      h(
        'select',
        { name },
        h('option', { value: '' }, '—'),
        options.map((o) => {
          const { value, label: shown } = typeof o === 'string' ? { value: o, label: o } : o;
          return h('option', { value, selected: params.get(name) === value }, shown);
        }),
      ) as HTMLSelectElement,
    );
  return {
    text: (name: string, label: string, type = 'text') =>
      field(label, h('input', { name, type, value: params.get(name) ?? '', autocomplete: 'off' }) as HTMLInputElement),
    choice,
    front: () =>
      choice(
        'front',
        t('front'),
        fronts.map((f) => ({ value: f.name, label: w(f.label) })),
      ),
  };
}

/** A panel of filters: applying goes to `route` with the filled ones in its query, clearing to `route` alone. */
function filterForm(route: string, controls: HTMLElement[]): HTMLFormElement {
  const form = h(
    'form',
    { class: 'panel', 'aria-label': t('filters') },
    h('div', { class: 'grid' }, controls),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', class: 'secondary', onclick: () => go(route) }, t('clear')),
    ),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v !== '') next.set(k, String(v));
    go(`${route}?${next}`);
  });
  return form;
}

// --- The audit trail: every admin write, from the API and the CLI (the admin API's /audit).
function auditPage(params: URLSearchParams): void {
  const c = filterControls(params);
  const form = filterForm('#/audit', [
    c.text('actor', t('actor')),
    c.front(),
    c.text('action', t('action')),
    c.text('objectId', t('objectId')),
    c.text('since', t('since'), 'datetime-local'),
    c.text('until', t('until'), 'datetime-local'),
  ]);
  const list = h('div');
  const note = h('p', { class: 'status', role: 'status' });
  page(t('audit'), form, note, list);

  const offset = Number(params.get('offset') ?? 0) || 0;
  const limit = 50;
  const query = new URLSearchParams();
  for (const name of ['actor', 'front', 'action', 'objectId']) if (params.get(name)) query.set(name, params.get(name)!);
  for (const name of ['since', 'until']) if (params.get(name)) query.set(name, String(new Date(params.get(name)!).getTime()));
  query.set('limit', String(limit));
  query.set('offset', String(offset));
  void (async () => {
    type Entry = {
      id: number;
      at: string;
      actor: string;
      action: string;
      front: string | null;
      objectId: string | null;
      outcome: string;
      detail: unknown;
      requestId: string | null;
    };
    try {
      const { entries } = await api<{ entries: Entry[] }>('GET', `/admin/api/audit?${query}`);
      if (entries.length === 0) return fill(list, h('p', { class: 'hint' }, t('noRows')));
      const rows = entries.map((e) =>
        h(
          'tr',
          { 'data-audit-id': String(e.id) },
          h('td', {}, show(e.at, 'time')),
          h('td', {}, h('a', { href: `#/audit?actor=${encodeURIComponent(e.actor)}` }, e.actor)),
          h('td', {}, h('code', {}, e.action)),
          h('td', {}, e.objectId ? h('code', {}, e.objectId) : '—'),
          h('td', {}, h('span', { class: `badge ${e.outcome === 'ok' ? 'ok' : 'bad'}` }, e.outcome)),
          h(
            'td',
            {},
            e.detail === null ? '—' : h('details', {}, h('summary', {}, t('details')), h('pre', {}, JSON.stringify(e.detail, null, 2))),
          ),
        ),
      );
      const heads = [t('at'), t('actor'), t('action'), t('objectId'), t('outcome'), t('details')];
      const pager = pagerOf(offset, limit, entries.length, (o) => {
        const next = new URLSearchParams(params);
        next.set('offset', String(o));
        return `#/audit?${next}`;
      });
      fill(list, rowsTable(t('audit'), heads, rows), pager);
    } catch (err) {
      status(note, (err as Error).message, 'error');
    }
  })();
}

// --- The call log.
function callsPage(params: URLSearchParams): void {
  const c = filterControls(params);
  const form = filterForm('#/calls', [
    c.front(),
    c.text('endpoint', t('endpoint')),
    c.text('credential', t('credential')),
    c.text('outcome', t('outcome')),
    c.choice('result', t('result'), ['ok', 'refused', 'upstream_error', 'error']),
    c.text('requestId', t('requestId')),
    c.text('since', t('since'), 'datetime-local'),
    c.text('until', t('until'), 'datetime-local'),
  ]);
  const chartHost = h('div', { class: 'chart', role: 'img', 'aria-label': t('chart') });
  const range = params.get('range') === 'day' ? 'day' : 'hour';
  const rangeButtons = h(
    'div',
    { class: 'row', role: 'group', 'aria-label': t('chart') },
    (['hour', 'day'] as const).map((r) => {
      const next = new URLSearchParams(params);
      next.set('range', r);
      return h(
        'button',
        {
          type: 'button',
          class: r === range ? '' : 'secondary',
          'aria-pressed': String(r === range),
          onclick: () => go(`#/calls?${next}`),
        },
        r === 'hour' ? t('lastHour') : t('lastDay'),
      );
    }),
  );
  const list = h('div');
  const note = h('p', { class: 'status', role: 'status' });
  page(
    t('calls'),
    form,
    h('h3', {}, t('chart')),
    rangeButtons,
    chartHost,
    h('p', { class: 'hint' }, t('refreshing')),
    h('h3', {}, t('calls')),
    note,
    list,
  );

  let chart: { destroy(): void } | undefined;
  every(10_000, async () => {
    try {
      const [{ drawChart }, data] = await Promise.all([import('./chart.ts'), api<ChartData>('GET', `/console/api/chart?range=${range}`)]);
      chart?.destroy();
      chart = drawChart(chartHost, data, { calls: t('callsSeries'), refusals: t('refusalsSeries'), front: frontLabel });
      chartHost.dataset.fronts = Object.keys(data.series).join(' ');
      chartHost.dataset.calls = String(Object.values(data.series).reduce((n, s) => n + s.calls.reduce((a, b) => a + b, 0), 0));
    } catch {
      /* the next refresh tries again */
    }
  });

  const offset = Number(params.get('offset') ?? 0) || 0;
  const limit = 50;
  const query = new URLSearchParams();
  for (const name of ['front', 'endpoint', 'credential', 'outcome', 'result', 'requestId'])
    if (params.get(name)) query.set(name, params.get(name)!);
  for (const name of ['since', 'until']) if (params.get(name)) query.set(name, String(new Date(params.get(name)!).getTime()));
  query.set('limit', String(limit));
  query.set('offset', String(offset));
  void (async () => {
    type Call = {
      at: string;
      front: string;
      endpoint: string;
      credential: string | null;
      outcome: string;
      result: string | null;
      latencyMs: number;
      requestId: string;
      refused: boolean;
      upstream: { upstream: string; outcome: string; ms: number }[];
    };
    try {
      const { calls, total } = await api<{ calls: Call[]; total: number }>('GET', `/console/api/calls?${query}`);
      if (calls.length === 0) return fill(list, h('p', { class: 'hint' }, t('noRows')));
      const rows = calls.map((c) => {
        const detail = h(
          'details',
          {},
          h('summary', {}, t('details')),
          h(
            'dl',
            { class: 'props' },
            h('dt', {}, t('requestId')),
            h('dd', {}, h('code', {}, c.requestId)),
            h('dt', {}, t('latency')),
            h('dd', {}, c.latencyMs.toFixed(2)),
            h('dt', {}, t('outcome')),
            h('dd', {}, c.outcome),
            h('dt', {}, t('result')),
            h('dd', {}, h('span', { class: `badge ${c.refused ? 'bad' : 'ok'}` }, c.result ?? (c.refused ? t('refused') : 'ok'))),
            h('dt', {}, t('upstreamDuring')),
            h('dd', {}, c.upstream.length ? c.upstream.map((u) => `${u.upstream} ${u.outcome} ${u.ms} ms`).join('; ') : t('none')),
          ),
        );
        return h(
          'tr',
          { 'data-request-id': c.requestId },
          h('td', {}, show(c.at, 'time')),
          h('td', { lang: 'zh-CN' }, frontLabel(c.front)),
          h('td', {}, h('code', {}, c.endpoint)),
          h('td', {}, c.credential ? h('a', { href: `#/calls?credential=${encodeURIComponent(c.credential)}` }, c.credential) : '—'),
          h('td', {}, h('span', { class: `badge ${c.refused ? 'bad' : 'ok'}` }, c.outcome)),
          h('td', {}, c.result ?? '—'),
          h('td', {}, c.latencyMs.toFixed(1)),
          h('td', {}, detail),
        );
      });
      const heads = [t('at'), t('front'), t('endpoint'), t('credential'), t('outcome'), t('result'), t('latency'), t('details')];
      const pager = pagerOf(
        offset,
        limit,
        calls.length,
        (o) => {
          const next = new URLSearchParams(params);
          next.set('offset', String(o));
          return `#/calls?${next}`;
        },
        total,
      );
      fill(list, rowsTable(t('calls'), heads, rows), pager);
    } catch (err) {
      status(note, (err as Error).message, 'error');
    }
  })();
}

/** Previous / next links; with the list's `total` (every admin list has one), the count and no next past the end. */
function pagerOf(offset: number, limit: number, got: number, href: (offset: number) => string, total?: number): HTMLElement {
  const more = total === undefined ? got >= limit : offset + got < total;
  return h(
    'nav',
    { class: 'row', 'aria-label': t('page') },
    offset > 0 ? h('a', { class: 'button secondary', href: href(Math.max(0, offset - limit)) }, t('previous')) : null,
    h('span', {}, `${got === 0 ? offset : offset + 1}–${offset + got}${total === undefined ? '' : ` ${t('of')} ${total}`}`),
    more ? h('a', { class: 'button secondary', href: href(offset + limit) }, t('next')) : null,
  );
}

// --- A resource's list.
const adminPath = (front: FrontView, path: string) => `/admin/api/${front.name}${path}`;
const idOf = (resource: ConsoleResource, row: Row) =>
  (resource.keyPath ?? `{${resource.key}}`).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(row[name] ?? '')));

async function listPage(front: FrontView, resource: ConsoleResource, params: URLSearchParams): Promise<void> {
  const title = `${w(front.label)} · ${w(resource.title)}`;
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const createArea = h('div');
  const createButton =
    resource.create && signedInAs?.scope !== 'read'
      ? h('button', { type: 'button', onclick: () => fill(createArea, createForm(front, resource, createArea)) }, w(resource.create.label))
      : null;
  if (resource.noList) {
    page(title, note, createButton, createArea);
    return;
  }
  const q = params.get('q') ?? '';
  const search = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off' });
  const filterInputs = (resource.filters ?? [])
    .filter((f) => f.name !== 'q')
    .map((f) => h('input', { name: f.name, value: params.get(f.name) ?? '', autocomplete: 'off' }));
  const searchForm = h(
    'form',
    { role: 'search', class: 'panel' },
    h(
      'div',
      { class: 'grid' },
      field(t('search'), search, t('searchHint')),
      (resource.filters ?? []).filter((f) => f.name !== 'q').map((f, i) => field(w(f.label), filterInputs[i]!)),
    ),
    h('div', { class: 'row' }, h('button', { type: 'submit' }, t('search')), createButton),
  );
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (search.value.trim()) next.set('q', search.value.trim());
    for (const input of filterInputs) if (input.value.trim()) next.set(input.name, input.value.trim());
    // An exact id opens its page (else the text searches: on the server when the list takes `q`).
    if (search.value.trim() && resource.show && !resource.keyPath) {
      try {
        await api('GET', adminPath(front, `${resource.path}/${encodeURIComponent(search.value.trim())}`));
        return go(`#/f/${front.name}/${resource.id}/${encodeURIComponent(search.value.trim())}`);
      } catch {
        /* not an id: filter the list */
      }
    }
    go(`#/f/${front.name}/${resource.id}?${next}`);
  });
  const list = h('div', {}, h('p', { class: 'hint' }, t('loading')));
  page(title, searchForm, createArea, note, list);

  const offset = Number(params.get('offset') ?? 0) || 0;
  const limit = 50;
  const query = new URLSearchParams();
  for (const f of resource.filters ?? []) if (params.get(f.name)) query.set(f.name, params.get(f.name)!);
  if (resource.paged) {
    query.set('limit', String(limit));
    query.set('offset', String(offset));
  }
  try {
    const data = await api<Row>('GET', adminPath(front, `${resource.path}${query.size ? `?${query}` : ''}`));
    let rows = (data[resource.listField] as Row[] | undefined) ?? [];
    const got = rows.length;
    const filterText = (resource.filters ?? []).some((f) => f.name === 'q') ? '' : q.toLowerCase();
    if (filterText)
      rows = rows.filter((row) =>
        resource.columns.some((c) =>
          String(row[c.field] ?? '')
            .toLowerCase()
            .includes(filterText),
        ),
      );
    fill(
      list,
      table(
        w(resource.title),
        resource.columns,
        rows,
        resource.show ? (row) => `#/f/${front.name}/${resource.id}/${idOf(resource, row)}` : undefined,
      ),
      resource.paged
        ? pagerOf(
            offset,
            limit,
            got,
            (o) => {
              const next = new URLSearchParams(params);
              next.set('offset', String(o));
              return `#/f/${front.name}/${resource.id}?${next}`;
            },
            typeof data.total === 'number' ? data.total : undefined,
          )
        : null,
    );
  } catch (err) {
    fill(list);
    status(note, (err as Error).message, 'error');
  }
}

// --- Forms from the admin routes' JSON schemas.
interface Prop {
  type?: string | string[];
  enum?: unknown[];
  description?: string;
  items?: { type?: string };
  examples?: unknown[];
}

function types(p: Prop): string[] {
  return Array.isArray(p.type) ? p.type : p.type ? [p.type] : ['string'];
}

function schemaFields(schema: JsonSchema, editing: boolean): { el: HTMLElement; read: () => Row } {
  const props = (schema.properties ?? {}) as Record<string, Prop>;
  const required = new Set((schema.required ?? []) as string[]);
  const readers: (() => [string, unknown] | undefined)[] = [];
  const grid = h('div', { class: 'grid' });
  for (const [name, p] of Object.entries(props)) {
    const ty = types(p);
    const label = `${name}${required.has(name) && !editing ? ' *' : ''}`;
    if (p.enum) {
      const select = h(
        'select',
        { name, required: required.has(name) && !editing },
        h('option', { value: '' }, '—'),
        p.enum.map((v) => h('option', { value: JSON.stringify(v) }, String(v))),
      );
      grid.append(field(label, select, p.description));
      readers.push(() => (select.value === '' ? undefined : [name, JSON.parse(select.value)]));
    } else if (ty.includes('boolean')) {
      const select = h(
        'select',
        { name },
        h('option', { value: '' }, '—'),
        h('option', { value: 'true' }, 'true'),
        h('option', { value: 'false' }, 'false'),
      );
      grid.append(field(label, select, p.description));
      readers.push(() => (select.value === '' ? undefined : [name, select.value === 'true']));
    } else if (ty.includes('array')) {
      const area = h('textarea', { name, rows: 3 });
      grid.append(field(label, area, p.description ?? 'one a line'));
      readers.push(() => {
        const lines = area.value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean);
        return lines.length ? [name, lines] : undefined;
      });
    } else {
      const numeric = ty.includes('integer') || ty.includes('number');
      const input = h('input', {
        name,
        type: numeric ? 'number' : 'text',
        required: required.has(name) && !editing,
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: p.examples?.[0] !== undefined ? String(p.examples[0]) : null,
      });
      grid.append(field(label, input, p.description));
      readers.push(() => (input.value.trim() === '' ? undefined : [name, numeric ? Number(input.value) : input.value.trim()]));
    }
  }
  return {
    el: grid,
    read: () => Object.fromEntries(readers.map((r) => r()).filter((x): x is [string, unknown] => x !== undefined)),
  };
}

/** The secrets of a reply, shown this once with a copy button. */
function revealed(reply: Row, fields: readonly string[] | undefined): HTMLElement | null {
  const shown = (fields ?? []).filter((f) => typeof reply[f] === 'string');
  if (!shown.length) return null;
  return h(
    'div',
    { class: 'secret-once', role: 'alert' },
    h('p', {}, h('strong', {}, t('secretOnce'))),
    shown.map((name) => {
      const value = String(reply[name]);
      const button = h('button', { type: 'button', class: 'secondary', 'data-copy': name }, t('copy'));
      button.addEventListener('click', () => void copy(value, button, t('copied')));
      return h('p', { class: 'row' }, h('span', {}, `${name}: `), h('code', { 'data-secret': name }, value), button);
    }),
  );
}

function createForm(front: FrontView, resource: ConsoleResource, area: HTMLElement): HTMLElement {
  const create = resource.create!;
  const { el, read } = schemaFields(create.body, false);
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'panel', 'aria-label': w(create.label) },
    h('h3', {}, w(create.label)),
    el,
    note,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, t('create')),
      h('button', { type: 'button', class: 'secondary', onclick: () => fill(area) }, t('cancel')),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const reply = await api<Row>('POST', adminPath(front, resource.path), read());
      const link = resource.show ? `#/f/${front.name}/${resource.id}/${idOf(resource, reply)}` : undefined;
      fill(
        area,
        h(
          'div',
          { class: 'panel' },
          h('p', { class: 'status ok', role: 'status' }, t('done'), ' ', link ? h('a', { href: link }, idOf(resource, reply)) : null),
          revealed(reply, create.reveals),
          resource.show
            ? null
            : h(
                'dl',
                { class: 'props' },
                Object.entries(reply)
                  .filter(([k]) => !(create.reveals ?? []).includes(k))
                  .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, show(v))]),
              ),
        ),
      );
      area.querySelector<HTMLButtonElement>('[data-copy]')?.focus();
    } catch (err) {
      status(note, `${t('error')}: ${(err as Error).message}`, 'error');
    }
  });
  queueMicrotask(() => form.querySelector<HTMLElement>('input, select, textarea')?.focus());
  return form;
}

// --- One record's page: its fields, its actions, its edit form, its sections.
async function recordPage(front: FrontView, resource: ConsoleResource, idParts: string[]): Promise<void> {
  const id = idParts.map(encodeURIComponent).join('/');
  const title = `${w(resource.title)} · ${idParts.join(' ')}`;
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const props = h('div', { class: 'panel' });
  const actionsArea = h('div');
  const sectionsArea = h('div');
  page(title, h('p', {}, h('a', { href: `#/f/${front.name}/${resource.id}` }, t('back'))), note, props, actionsArea, sectionsArea);
  let record: Row;
  try {
    record = await api<Row>('GET', adminPath(front, `${resource.path}/${id}`));
  } catch (err) {
    status(note, (err as Error).message, 'error');
    return;
  }
  const known = new Map(resource.columns.map((c) => [c.field, c]));
  fill(
    props,
    h(
      'dl',
      { class: 'props' },
      Object.entries(record)
        .filter(([, v]) => !Array.isArray(v) || v.every((x) => typeof x !== 'object'))
        .flatMap(([k, v]) => [
          h('dt', {}, w(known.get(k)?.label) || k),
          h('dd', {}, show(v, known.get(k)?.kind ?? (k.endsWith('At') ? 'time' : 'text'))),
        ]),
    ),
  );
  const reveal = h('div');
  const buttons = h('div', { class: 'row' });
  for (const action of resource.actions ?? []) {
    if (action.when && record[action.when.field] !== action.when.value) continue;
    buttons.append(
      h(
        'button',
        {
          type: 'button',
          class: action.confirm ? 'danger' : 'secondary',
          onclick: () => void act(front, resource, id, action, reveal, note),
        },
        w(action.label),
      ),
    );
  }
  if (resource.edit) {
    buttons.append(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            const { el, read } = schemaFields(resource.edit!.body, true);
            const form = h(
              'form',
              { class: 'panel', 'aria-label': t('edit') },
              h('h3', {}, t('edit')),
              h('p', { class: 'hint' }, t('blankKeeps')),
              el,
              h(
                'div',
                { class: 'row' },
                h('button', { type: 'submit' }, t('save')),
                h('button', { type: 'button', class: 'secondary', onclick: () => fill(reveal) }, t('cancel')),
              ),
            );
            form.addEventListener('submit', async (event) => {
              event.preventDefault();
              try {
                await api('PATCH', adminPath(front, `${resource.path}/${id}`), read());
                go(location.hash);
              } catch (err) {
                status(note, `${t('error')}: ${(err as Error).message}`, 'error');
              }
            });
            fill(reveal, form);
            form.querySelector<HTMLElement>('input, select, textarea')?.focus();
          },
        },
        t('edit'),
      ),
    );
  }
  fill(actionsArea, h('h3', {}, t('actions')), buttons, reveal);
  for (const section of resource.sections ?? []) sectionsArea.append(await sectionOf(front, resource, id, record, section));
}

async function act(
  front: FrontView,
  resource: ConsoleResource,
  id: string,
  action: ConsoleAction,
  area: HTMLElement,
  note: HTMLElement,
): Promise<void> {
  const run = async (body?: Row) => {
    if (action.confirm && !window.confirm(`${w(action.label)}: ${t('confirm')}`)) return;
    try {
      const reply = await api<Row>(
        action.method ?? 'POST',
        adminPath(front, `${resource.path}/${id}${action.suffix}`),
        body ?? (action.body ? {} : undefined),
      );
      const shown = revealed(reply, action.reveals);
      if (shown) {
        // The secret is on this page only until it is left.
        fill(
          area,
          h(
            'div',
            { class: 'panel' },
            h('p', { class: 'status ok' }, t('done')),
            shown,
            h('button', { type: 'button', class: 'secondary', onclick: () => go(location.hash) }, t('back')),
          ),
        );
        area.querySelector<HTMLButtonElement>('[data-copy]')?.focus();
      } else if (action.deletes) {
        // The record is gone: back to its list.
        go(`#/f/${front.name}/${resource.id}`);
      } else {
        go(location.hash);
        queueMicrotask(() => status(note, `${w(action.label)}: ${t('done')}`, 'ok'));
      }
    } catch (err) {
      status(note, `${t('error')}: ${(err as Error).message}`, 'error');
    }
  };
  if (!action.body || Object.keys((action.body.properties ?? {}) as object).length === 0) return run();
  const { el, read } = schemaFields(action.body, true);
  const form = h(
    'form',
    { class: 'panel', 'aria-label': w(action.label) },
    h('h3', {}, w(action.label)),
    el,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, w(action.label)),
      h('button', { type: 'button', class: 'secondary', onclick: () => fill(area) }, t('cancel')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(read());
  });
  fill(area, form);
  form.querySelector<HTMLElement>('input, select, textarea')?.focus();
}

async function sectionOf(
  front: FrontView,
  resource: ConsoleResource,
  id: string,
  record: Row,
  section: ConsoleSection,
): Promise<HTMLElement> {
  const box = h(
    'section',
    { class: 'panel', 'aria-label': w(section.title) },
    h('h3', {}, w(section.title)),
    section.note ? h('p', { class: 'hint' }, w(section.note)) : null,
  );
  const rawId = decodeURIComponent(id);
  let rows: Row[] = [];
  try {
    let data: Row = record;
    if (section.path !== '') {
      const path = section.path.includes('{id}')
        ? section.path.replace('{id}', encodeURIComponent(rawId))
        : `${resource.path}/${id}${section.path}`;
      data = await api<Row>('GET', adminPath(front, path));
    }
    const items = (data[section.listField] as unknown[] | undefined) ?? [];
    const first = section.columns[0]?.field ?? 'value';
    rows = items.map((item) => (typeof item === 'object' && item !== null ? (item as Row) : { [first]: item }));
  } catch (err) {
    box.append(h('p', { class: 'status error' }, (err as Error).message));
    return box;
  }
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const fillPath = (template: string, values: Row) =>
    adminPath(
      front,
      template
        .replace('{id}', encodeURIComponent(rawId))
        .replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(String(values[n] ?? ''))),
    );
  box.append(
    table(
      w(section.title),
      section.columns,
      rows,
      undefined,
      section.remove
        ? (row) =>
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  if (!window.confirm(`${w(section.remove!.label)}: ${t('confirm')}`)) return;
                  try {
                    await api('DELETE', fillPath(section.remove!.path, row));
                    go(location.hash);
                  } catch (err) {
                    status(note, (err as Error).message, 'error');
                  }
                },
              },
              w(section.remove!.label),
            )
        : undefined,
    ),
    note,
  );
  if (section.add) {
    const add = section.add;
    const pathFields = add.pathFields
      ? {
          ...add.pathFields,
          properties: Object.fromEntries(
            Object.entries((add.pathFields.properties ?? {}) as Record<string, unknown>).filter(
              ([n]) => !add.path.includes(`{${n}}`) || n !== resource.key,
            ),
          ),
        }
      : undefined;
    const fromPath = pathFields ? schemaFields({ ...pathFields, required: Object.keys(pathFields.properties) }, false) : undefined;
    const fromBody = add.body ? schemaFields(add.body, true) : undefined;
    const form = h(
      'form',
      { class: 'panel', 'aria-label': w(add.label) },
      h('h3', {}, w(add.label)),
      fromPath?.el ?? null,
      fromBody?.el ?? null,
      h('button', { type: 'submit' }, w(add.label)),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api(add.method, fillPath(add.path, fromPath?.read() ?? {}), add.body ? (fromBody?.read() ?? {}) : undefined);
        go(location.hash);
      } catch (err) {
        status(note, `${t('error')}: ${(err as Error).message}`, 'error');
      }
    });
    box.append(h('details', {}, h('summary', {}, w(add.label)), form));
  }
  return box;
}

// --- The sandbox: outboxes and simulators, refreshing themselves.
function sandboxPage(): void {
  if (!sandboxMode) {
    page(t('sandbox'), h('p', {}, t('liveOnly')));
    return;
  }
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const sms = h('div');
  const inbox = h('div');
  const journal = h('div');
  const feeds = fronts.flatMap((f) => (f.sandboxFeeds ?? []).map((feed) => ({ front: f, feed, host: h('div') })));
  const payer = h('input', { name: 'payer', value: 'alice', autocomplete: 'off', pattern: '[A-Za-z0-9_]{1,64}' });
  const payResult = h('p', { role: 'status', 'aria-live': 'polite' });
  const payForm = h(
    'form',
    { class: 'panel', 'aria-label': t('paymentCode') },
    h('h3', {}, t('paymentCode')),
    field(t('payer'), payer),
    h('button', { type: 'submit' }, t('paymentCode')),
    payResult,
  );
  payForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const r = await api<{ authCode: string; payer: string }>(
        'GET',
        `/sandbox/wechatpay/payment-code?payer=${encodeURIComponent(payer.value)}`,
      );
      const button = h('button', { type: 'button', class: 'secondary' }, t('copy'));
      button.addEventListener('click', () => void copy(r.authCode, button, t('copied')));
      fill(payResult, `${r.payer}: `, h('code', { 'data-payment-code': '' }, r.authCode), ' ', button);
    } catch (err) {
      status(note, (err as Error).message, 'error');
    }
  });
  const appid = h('input', { name: 'appid', autocomplete: 'off', placeholder: 'wx…' });
  const expireForm = h(
    'form',
    { class: 'panel', 'aria-label': t('expireToken') },
    h('h3', {}, t('expireToken')),
    field(t('officialAccount'), appid),
    h('button', { type: 'submit' }, t('expireToken')),
  );
  expireForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', `/sandbox/wechat/expire-tokens?appid=${encodeURIComponent(appid.value)}`);
      status(note, `${t('expireToken')}: ${t('done')}`, 'ok');
    } catch (err) {
      status(note, (err as Error).message, 'error');
    }
  });
  const emptyButton = (path: string) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          await api('DELETE', path).catch((err: Error) => status(note, err.message, 'error'));
          refresh();
        },
      },
      t('empty'),
    );
  page(
    t('sandbox'),
    h('p', { class: 'hint' }, t('refreshing')),
    note,
    h('div', { class: 'cards' }, payForm, expireForm),
    h('section', { 'aria-label': t('smsOutbox') }, h('h3', {}, t('smsOutbox')), emptyButton('/admin/api/sandbox/sms'), sms),
    h(
      'section',
      { 'aria-label': t('templateInbox') },
      h('h3', {}, t('templateInbox')),
      emptyButton('/admin/api/sandbox/template-messages'),
      inbox,
    ),
    h('section', { 'aria-label': t('journal') }, h('h3', {}, t('journal')), emptyButton('/console/api/sandbox/journal'), journal),
    feeds.map(({ feed, host }) => h('section', { 'aria-label': w(feed.title) }, h('h3', {}, w(feed.title)), host)),
  );
  const col = (field: string, en: string, zh: string, kind: ConsoleColumn['kind'] = 'text'): ConsoleColumn => ({
    field,
    label: { en, zh },
    kind,
  });
  const refresh = () => {
    void api<{ messages: Row[] }>('GET', '/admin/api/sandbox/sms?limit=20').then(({ messages }) =>
      fill(
        sms,
        table(
          t('smsOutbox'),
          [
            col('at', 'At', '时间', 'time'),
            col('provider', 'Provider', '服务商'),
            col('mobile', 'Mobile', '手机号', 'code'),
            col('code', 'Code', '验证码', 'code'),
            col('text', 'Text', '内容'),
          ],
          messages,
        ),
      ),
    );
    void api<{ messages: Row[] }>('GET', '/admin/api/sandbox/template-messages?limit=20').then(({ messages }) =>
      fill(
        inbox,
        table(
          t('templateInbox'),
          [
            col('at', 'At', '时间', 'time'),
            col('appid', 'Account', '公众号', 'code'),
            col('touser', 'To', '接收者', 'code'),
            col('templateId', 'Template', '模板', 'code'),
            col('data', 'Data', '内容', 'json'),
          ],
          messages,
        ),
      ),
    );
    void api<{ entries: Row[] }>('GET', '/console/api/sandbox/journal?limit=30').then(({ entries }) =>
      fill(
        journal,
        table(
          t('journal'),
          [
            col('at', 'At', '时间', 'time'),
            col('service', 'Service', '服务', 'code'),
            col('request', 'Request', '请求'),
            col('status', 'HTTP', 'HTTP', 'number'),
            col('answer', 'Answer', '应答'),
          ],
          entries,
        ),
      ),
    );
    for (const { front, feed, host } of feeds) {
      void api<Row>('GET', adminPath(front, feed.path)).then((data) =>
        fill(host, table(w(feed.title), feed.columns, (data[feed.listField] as Row[]) ?? [])),
      );
    }
  };
  every(3000, refresh);
}
