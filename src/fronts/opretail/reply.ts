import { XMLBuilder } from 'fast-xml-parser';
import { CODES, type Codename } from './codes.ts';
import type { OpretailResponse, OpretailStat } from './wire.ts';

export type Format = 'json' | 'xml';

/** The gateway's reply (wire.ts), its codename one of the code table's. */
export interface Envelope extends OpretailResponse {
  stat: OpretailStat & { codename: Codename };
}

export function envelope(cid: string, systime: number, codename: Codename, result: string, data: unknown): Envelope {
  return { stat: { cid, code: CODES[codename], codename, systime }, result, data: codename === 'SUCCESS' ? data : null };
}

const builder = new XMLBuilder({ format: false, ignoreAttributes: true });

// XML 1.0 cannot carry these characters even escaped; a method's data may contain them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
const NOT_XML_CHAR = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Element names from a method's data are the caller's JSON keys; ones XML cannot name are rewritten with `_`. */
function xmlName(name: string): string {
  let n = name.replace(/[^A-Za-z0-9_.\-\u00b7\u00c0-\ud7ff\uf900-\ufffd]/g, '_');
  if (!/^[A-Za-z_\u00c0-\ud7ff\uf900-\ufffd]/.test(n) || /^xml/i.test(n)) n = '_' + n;
  return n;
}

function forXml(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NOT_XML_CHAR, '\ufffd');
  if (Array.isArray(value)) return value.map(forXml);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a key named `__proto__` stays an element.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [xmlName(k), forXml(v)]));
  }
  return value;
}

/** The reply body: the same structure in JSON, or in XML under a `response` root element. */
export function render(format: Format, body: Envelope): { contentType: string; payload: string } {
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', payload: JSON.stringify(body) };
  const xml = builder.build({ response: forXml(body) }) as string;
  return { contentType: 'application/xml; charset=utf-8', payload: `<?xml version="1.0" encoding="UTF-8"?>${xml}` };
}
