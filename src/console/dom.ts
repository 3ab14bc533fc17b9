/** A few DOM helpers for the console's and the debugger's pages (no framework: the pages are small). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** An element: attributes (`on<event>` are listeners; `false`/`null` leave the attribute out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A unique id for label/field pairs. */
let seq = 0;
export const uid = (prefix: string) => `${prefix}-${++seq}`;

/** A labelled field: the label above, a hint below (described-by). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** Copies text to the clipboard; a button says so. */
export async function copy(text: string, button: HTMLButtonElement, done: string): Promise<void> {
  const before = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = done;
  } catch {
    // No clipboard (an insecure origin): select the text for Ctrl-C instead.
    const range = document.createRange();
    const target = button.previousElementSibling;
    if (target) {
      range.selectNodeContents(target);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
  }
  setTimeout(() => {
    button.textContent = before;
  }, 1500);
}

/** Announces a message to screen readers and shows it. */
export function status(el: HTMLElement, text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  el.className = `status ${kind}`;
  el.textContent = text;
}
