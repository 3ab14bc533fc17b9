import { h } from './dom.ts';

/**
 * A string to sign as the debugger shows it: the secret masked as <secret>, the separators `&` and
 * `=` set apart, and characters one cannot see (spaces, tabs, line breaks) written as visible marks.
 */
export function showSigned(text: string, secret: string): Node[] {
  const nodes: Node[] = [];
  const pieces = secret ? text.split(secret) : [text];
  pieces.forEach((piece, i) => {
    if (i > 0) nodes.push(h('span', { class: 'masked', title: 'secret' }, '<secret>'));
    let run = '';
    const flush = () => {
      if (run) nodes.push(document.createTextNode(run));
      run = '';
    };
    for (const c of piece) {
      const shown = c === ' ' ? '␠' : c === '\t' ? '⇥' : c === '\n' ? '↵\n' : c === '\r' ? '␍' : undefined;
      if (c === '&' || c === '=' || shown) {
        flush();
        nodes.push(h('span', { class: 'sep' }, shown ?? c));
      } else run += c;
    }
    flush();
  });
  return nodes;
}

/** Two strings with the characters that differ (position by position) marked; `first` is the first differing index, or -1. */
export function diffMarks(a: string, b: string): { left: Node[]; right: Node[]; first: number } {
  let first = -1;
  const mark = (s: string, other: string) => {
    const nodes: Node[] = [];
    let run = '';
    let marking = false;
    const flush = () => {
      if (!run) return;
      nodes.push(marking ? h('mark', { class: 'diff' }, run) : document.createTextNode(run));
      run = '';
    };
    for (let i = 0; i < s.length; i++) {
      const differs = s[i] !== other[i];
      if (differs && first === -1) first = i;
      if (differs !== marking) {
        flush();
        marking = differs;
      }
      run += s[i];
    }
    flush();
    return nodes;
  };
  const left = mark(a, b);
  const right = mark(b, a);
  if (first === -1 && a.length !== b.length) first = Math.min(a.length, b.length);
  return { left, right, first };
}
