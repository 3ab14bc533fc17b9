import './styles.css';
import type { BuiltRequest, Check, DebugContext, DebugEndpoint, DebugField, FrontDebugger } from '../fronts/kit/debugger.ts';
import { digestReady } from './digest.ts';
import { copy, field, fill, h, status } from './dom.ts';
import { debuggers } from './fronts.ts';
import { currentLang, initialLang, setLang, t, w } from './i18n.ts';
import { parsePasted } from './paste.ts';
import { diffMarks, showSigned } from './text.ts';

/**
 * The integrator's debugger, `/debugger/`: pick a platform and an endpoint (from the wire OpenAPI
 * document), fill its fields, type the credential; the page signs with the front's own signing
 * module (src/fronts/<name>/signing.ts, bundled) and shows each step: the parameters, the string
 * to sign (secret masked, separators visible), the signature, the curl line, the reply and its
 * signature. It also redoes a front's checks on a request a partner's code sent. The secret is
 * held in a password field of this page and goes into no request (but the one token call of a
 * platform whose protocol sends it).
 */

type OpenApi = {
  paths: Record<
    string,
    Record<
      string,
      { tags?: string[]; summary?: string; parameters?: Param[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
};
type Param = { name: string; in: string; required?: boolean; description?: string; schema?: Schema } | { $ref: string };
type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  pattern?: string;
  maxLength?: number;
  description?: string;
  examples?: unknown[];
};

const app = document.getElementById('app') as HTMLElement;
let doc: OpenApi;
let info: { now: number; sandbox: boolean; settings: Record<string, unknown> };
let skewMs = 0;
const ctx = (): DebugContext => ({ now: Date.now() + skewMs, sandbox: info.sandbox, settings: info.settings });

setLang(initialLang());
void start();

async function start(): Promise<void> {
  const asked = Date.now();
  // The digests compile meanwhile: only signing waits for them.
  void digestReady();
  const [d, i] = await Promise.all([
    fetch('/openapi.json').then((r) => r.json() as Promise<OpenApi>),
    fetch('/debugger/api/info').then((r) => r.json() as Promise<typeof info>),
  ]);
  doc = d;
  info = i;
  skewMs = i.now - Math.round((asked + Date.now()) / 2);
  draw();
}

function resolve<T>(node: T | { $ref: string }): T {
  if (node && typeof node === 'object' && '$ref' in node && typeof node.$ref === 'string') {
    const parts = node.$ref.replace(/^#\//, '').split('/');
    return parts.reduce<unknown>((n, p) => (n as Record<string, unknown>)[p], doc) as T;
  }
  return node as T;
}

/** The front's endpoints, from the document's paths tagged with its name. */
function endpointsOf(dbg: FrontDebugger): DebugEndpoint[] {
  const out: DebugEndpoint[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (dbg.paths && !dbg.paths.includes(path)) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!op.tags?.includes(dbg.front)) continue;
      const fields: DebugField[] = [];
      for (const raw of op.parameters ?? []) {
        const p = resolve(raw) as Exclude<Param, { $ref: string }>;
        if (p.in !== 'query' && p.in !== 'header') continue;
        fields.push(fieldOf(p.name, p.in as 'query' | 'header', !!p.required, p.schema ? resolve(p.schema) : {}, p.description));
      }
      const content = op.requestBody?.content ?? {};
      const bodyTypes = Object.keys(content);
      const schema = bodyTypes[0] ? resolve(content[bodyTypes[0]]!.schema ?? {}) : undefined;
      for (const [name, s] of Object.entries(schema?.properties ?? {})) {
        if (fields.some((f) => f.name === name)) continue;
        fields.push(fieldOf(name, 'body', (schema?.required ?? []).includes(name), resolve(s)));
      }
      out.push({ method: method.toUpperCase(), path, summary: op.summary ?? '', fields, bodyTypes });
    }
  }
  // POST first where a path takes both: the form is the same.
  return out.filter((e, i) => !(e.method === 'GET' && out.some((o, j) => j !== i && o.path === e.path && o.method === 'POST')));
}

function fieldOf(name: string, where: DebugField['in'], required: boolean, s: Schema, description?: string): DebugField {
  return {
    name,
    in: where,
    required,
    ...((description ?? s.description) ? { description: description ?? s.description } : {}),
    ...(s.pattern ? { pattern: s.pattern } : {}),
    ...(s.enum ? { enum: s.enum } : {}),
    ...(s.maxLength ? { maxLength: s.maxLength } : {}),
    ...(s.examples?.[0] !== undefined ? { example: String(s.examples[0]) } : {}),
  };
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
        draw();
      },
    },
    t('language'),
  );
}

let chosen = { front: '', endpoint: '' };

function draw(): void {
  document.title = t('debugger');
  document.querySelector('header.top')?.remove();
  document.body.prepend(h('header', { class: 'top' }, h('h1', {}, t('debugger')), langButton()));
  const usable = debuggers.filter((d) => endpointsOf(d).length > 0);
  const params = new URLSearchParams(location.hash.slice(1));
  chosen.front ||= params.get('front') ?? usable[0]?.front ?? '';
  const dbg = usable.find((d) => d.front === chosen.front) ?? usable[0]!;
  chosen.front = dbg.front;
  const endpoints = endpointsOf(dbg);
  chosen.endpoint ||= params.get('endpoint') ?? '';
  const endpoint = endpoints.find((e) => `${e.method} ${e.path}` === chosen.endpoint) ?? endpoints[0]!;
  chosen.endpoint = `${endpoint.method} ${endpoint.path}`;

  const frontSelect = h(
    'select',
    { name: 'front' },
    usable.map((d) => h('option', { value: d.front, selected: d === dbg }, w(d.label))),
  );
  frontSelect.addEventListener('change', () => {
    chosen = { front: frontSelect.value, endpoint: '' };
    location.hash = `front=${chosen.front}`;
    draw();
  });
  const endpointSelect = h(
    'select',
    { name: 'endpoint' },
    endpoints.map((e) => h('option', { value: `${e.method} ${e.path}`, selected: e === endpoint }, `${e.method} ${e.path}`)),
  );
  endpointSelect.addEventListener('change', () => {
    chosen.endpoint = endpointSelect.value;
    location.hash = `front=${chosen.front}&endpoint=${encodeURIComponent(chosen.endpoint)}`;
    draw();
  });

  // The credential: its id, and the secret in a password field that no form submits.
  const credId = h('input', {
    name: 'credential-id',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    value: sessionValues.id ?? '',
  });
  const secret = h('input', {
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    value: sessionValues.secret ?? '',
    'data-secret': '',
  });
  credId.addEventListener('input', () => {
    sessionValues.id = credId.value;
  });
  secret.addEventListener('input', () => {
    sessionValues.secret = secret.value;
  });

  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const grid = h('div', { class: 'grid' });
  for (const f of endpoint.fields) {
    if (dbg.filled.includes(f.name)) continue;
    const example = dbg.examples?.[f.name] ?? '';
    const control = f.enum
      ? h(
          'select',
          { name: f.name },
          f.required ? null : h('option', { value: '' }, '—'),
          f.enum.map((v) => h('option', { value: v, selected: v === example }, v)),
        )
      : h('input', {
          name: f.name,
          value: example,
          required: f.required,
          pattern: f.pattern ?? null,
          maxlength: f.maxLength ?? null,
          placeholder: f.example ?? null,
          autocomplete: 'off',
          spellcheck: 'false',
        });
    inputs.set(f.name, control);
    const rules = [f.required ? '*' : '', f.pattern ? `/${f.pattern}/` : '', f.maxLength ? `≤ ${f.maxLength}` : '', f.description ?? '']
      .filter(Boolean)
      .join(' · ');
    grid.append(field(`${f.name}${f.required ? ' *' : ''} (${f.in})`, control, rules));
  }
  const extra = h('textarea', { name: 'extra', rows: 3, spellcheck: 'false' });
  const output = h('div', { 'aria-live': 'polite' });
  const note = h('p', { class: 'status', role: 'status' });

  const form = h(
    'form',
    { class: 'panel', 'aria-label': t('fields'), novalidate: false },
    h('div', { class: 'grid' }, field(t('pickFront'), frontSelect), field(t('pickEndpoint'), endpointSelect, endpoint.summary)),
    h('h3', {}, t('credential')),
    h(
      'div',
      { class: 'grid' },
      field(w(dbg.credential.id), credId),
      field(`${w(dbg.credential.secret)} (${t('secret')})`, secret, dbg.credential.secretSent ? t('secretSent') : t('secretStays')),
    ),
    h('h3', {}, t('fields')),
    grid,
    field(t('extra'), extra),
    note,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', name: 'send' }, t('send')),
      h('button', { type: 'button', class: 'secondary', name: 'build', onclick: () => void run(false) }, t('build')),
    ),
  );
  const run = async (send: boolean) => {
    if (!form.reportValidity()) return;
    const values: Record<string, string> = {};
    for (const [name, control] of inputs) values[name] = control.value;
    for (const line of extra.value.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1);
    }
    await digestReady();
    let built: BuiltRequest;
    try {
      built = dbg.build(endpoint, values, credId.value.trim(), secret.value, ctx());
    } catch (err) {
      return status(note, (err as Error).message, 'error');
    }
    status(note, '');
    await showBuilt(output, dbg, built, secret.value, send);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(true);
  });

  fill(app, h('h2', { class: 'sr-only' }, t('debugger')), form, output, explainPanel(dbg, secret));
  app.removeAttribute('aria-busy');
  performance.mark('kaifang:ready');
}

/** What was typed, kept only in this page's memory while it is open (a redraw keeps it). */
const sessionValues: { id?: string; secret?: string } = {};

async function showBuilt(output: HTMLElement, dbg: FrontDebugger, built: BuiltRequest, secret: string, send: boolean): Promise<void> {
  const url = `${location.origin}${built.url}`;
  const curl = [
    `curl -sS -X ${built.method} '${url.replace(/'/g, "'\\''")}'`,
    ...Object.entries(built.headers).map(([k, v]) => `-H '${k}: ${v}'`),
    ...(built.body !== undefined ? [`--data-raw '${built.body.replace(/'/g, "'\\''")}'`] : []),
  ].join(' \\\n  ');
  const copyButton = h('button', { type: 'button', class: 'secondary' }, t('copy'));
  copyButton.addEventListener('click', () => void copy(curl, copyButton, t('copied')));
  const paramsTable = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, t('step1')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'name'), h('th', { scope: 'col' }, 'value'))),
      h(
        'tbody',
        {},
        built.params.map(([n, v]) =>
          h(
            'tr',
            {},
            h('td', {}, h('code', {}, n)),
            h('td', {}, h('code', {}, dbg.credential.secretSent && v === secret ? '<secret>' : v)),
          ),
        ),
      ),
    ),
  );
  const reply = h('div', { 'data-step': 'reply' });
  fill(
    output,
    h('section', { class: 'panel', 'aria-label': t('step1') }, h('h3', {}, t('step1')), paramsTable),
    h(
      'section',
      { class: 'panel', 'aria-label': t('step2') },
      h('h3', {}, t('step2')),
      built.stringToSign !== undefined
        ? h('pre', { 'data-step': 'string-to-sign' }, showSigned(built.stringToSign, secret))
        : h('p', {}, t('noSignature')),
      built.scheme ? h('p', { class: 'hint' }, w(built.scheme)) : null,
    ),
    h(
      'section',
      { class: 'panel', 'aria-label': t('step3') },
      h('h3', {}, t('step3')),
      built.signature ? h('pre', { 'data-step': 'signature' }, built.signature) : h('p', {}, t('noSignature')),
    ),
    h(
      'section',
      { class: 'panel', 'aria-label': t('step4') },
      h('h3', {}, t('step4')),
      h('pre', { 'data-step': 'curl' }, dbg.credential.secretSent ? curl.split(secret).join('<secret>') : curl),
      copyButton,
    ),
    h('section', { class: 'panel', 'aria-label': t('step5') }, h('h3', {}, t('step5')), reply),
  );
  if (!send) return;
  fill(reply, t('loading'));
  const started = performance.now();
  try {
    const res = await fetch(built.url, {
      method: built.method,
      headers: built.headers,
      ...(built.body !== undefined ? { body: built.body } : {}),
      credentials: 'omit',
      redirect: 'manual',
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    fill(
      reply,
      h(
        'p',
        {},
        h('span', { class: `badge ${res.ok ? 'ok' : 'bad'}`, 'data-status': res.status }, `HTTP ${res.status}`),
        ` ${t('took')} ${ms.toFixed(0)} ms`,
      ),
      h('pre', { 'data-step': 'reply-body' }, typeof parsed === 'string' ? parsed : JSON.stringify(parsed, null, 2)),
      h('details', {}, h('summary', {}, t('headers')), h('pre', {}, headers)),
    );
    const check = dbg.verifyReply?.(parsed, secret);
    if (dbg.verifyReply) {
      output.append(
        h(
          'section',
          { class: 'panel', 'aria-label': t('step6') },
          h('h3', {}, t('step6')),
          check
            ? h(
                'div',
                {},
                h(
                  'p',
                  { class: `status ${check.ok ? 'ok' : 'error'}`, 'data-reply-verified': String(check.ok) },
                  check.ok ? t('replyVerified') : t('replyNotVerified'),
                ),
                h('pre', {}, showSigned(check.stringToSign, secret)),
                h('p', {}, `${t('expected')}: `, h('code', {}, check.expected), ` · ${t('received')}: `, h('code', {}, check.received)),
              )
            : h('p', {}, t('replyUnsigned')),
        ),
      );
    }
  } catch (err) {
    fill(reply, h('p', { class: 'status error' }, (err as Error).message));
  }
}

function explainPanel(dbg: FrontDebugger, secret: HTMLInputElement): HTMLElement {
  const pasted = h('textarea', { name: 'pasted', rows: 5, spellcheck: 'false' });
  const path = h('input', { name: 'path', autocomplete: 'off', value: endpointsOf(dbg)[0]?.path ?? '' });
  const theirs = h('textarea', { name: 'theirs', rows: 2, spellcheck: 'false' });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'explain-title' },
    h('h2', { id: 'explain-title' }, t('explain')),
    field(t('pasted'), pasted),
    h('div', { class: 'grid' }, field(t('pastedPath'), path)),
    field(t('theirs'), theirs),
    h('p', { class: 'hint' }, t('secretStays')),
    h('button', { type: 'submit', name: 'explain' }, t('check')),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await digestReady();
    const request = parsePasted(pasted.value, path.value);
    const checks = dbg.explain(request, secret.value, ctx(), theirs.value || undefined);
    fill(result, explained(checks, secret.value, theirs.value));
    result.querySelector<HTMLElement>('[data-first-failing]')?.focus();
  });
  return form;
}

function explained(checks: Check[], secret: string, theirs: string): HTMLElement {
  const failing = checks.find((c) => !c.ok);
  return h(
    'div',
    {},
    failing
      ? h('p', { class: 'status error', tabindex: '-1', 'data-first-failing': w(failing.name) }, `${t('firstFailing')}: ${w(failing.name)}`)
      : h('p', { class: 'status ok', tabindex: '-1', 'data-first-failing': '' }, t('allPass')),
    h(
      'ol',
      {},
      checks.map((c) =>
        h(
          'li',
          { class: `check${c.ok ? '' : ' failed'}` },
          h('span', { class: `badge ${c.serverOnly ? 'warn' : c.ok ? 'ok' : 'bad'}` }, c.serverOnly ? t('serverOnly') : c.ok ? '✓' : '✗'),
          h(
            'div',
            {},
            h('strong', {}, w(c.name)),
            c.expected !== undefined || c.received !== undefined
              ? h(
                  'p',
                  {},
                  `${t('expected')}: `,
                  h('code', {}, c.expected ?? '—'),
                  ` · ${t('received')}: `,
                  h('code', {}, c.received ?? '—'),
                )
              : null,
            c.skewSeconds !== undefined
              ? h('p', { 'data-skew': c.skewSeconds }, `${t('skew')}: ${c.skewSeconds > 0 ? '+' : ''}${c.skewSeconds} ${t('seconds')}`)
              : null,
            c.detail ? h('p', { class: 'hint' }, w(c.detail)) : null,
            c.stringToSign !== undefined ? sideBySide(c.stringToSign, theirs, secret) : null,
          ),
        ),
      ),
    ),
  );
}

function sideBySide(expected: string, theirs: string, secret: string): HTMLElement {
  const mask = (s: string) => (secret ? s.split(secret).join('<secret>') : s);
  const ours = mask(expected);
  const other = theirs ? mask(theirs) : '';
  const marks = other ? diffMarks(ours, other) : undefined;
  return h(
    'div',
    { class: 'side-by-side' },
    h(
      'div',
      {},
      h('p', {}, t('expected'), ' (', t('step2'), ')'),
      h('pre', { 'data-step': 'expected-string-to-sign' }, marks ? marks.left : showSigned(expected, secret)),
    ),
    other ? h('div', {}, h('p', {}, t('received')), h('pre', { 'data-step': 'their-string-to-sign' }, marks!.right)) : null,
    marks && marks.first >= 0 ? h('p', { class: 'hint' }, `${t('differsAt')} ${marks.first + 1}`) : null,
  );
}
