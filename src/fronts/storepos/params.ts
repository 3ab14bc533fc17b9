import { InvalidInput } from '../../kernel/errors.ts';
import type { ParsedBody } from '../kit/bodies.ts';

export type Params = Record<string, string>;

/** Parameters of every storepos call (the seed's 公共请求参数). */
export const COMMON = ['agent_id', 'pid', 'version', 'sign'] as const;

/**
 * The request's parameters as one flat name → text map, from a form body or a flat JSON object.
 * A body that cannot be read, a repeated name, or a JSON value that is not text or a number is a
 * parameter error naming the problem: guessing which of two values was signed would only turn it
 * into a puzzling signature error. JSON null means "not sent".
 */
export function paramsOf(body: ParsedBody): Params {
  const out: Params = Object.create(null) as Params;
  switch (body.type) {
    case 'none':
      return out;
    case 'invalid':
      throw new InvalidInput(body.param ?? 'body', body.reason);
    case 'form':
      for (const [name, value] of body.pairs) {
        if (name in out) throw new InvalidInput(name, `parameter ${quote(name)} is sent more than once`);
        out[name] = value;
      }
      return out;
    case 'json': {
      const v = body.value;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new InvalidInput('body', 'the JSON body must be a flat object of parameter names to values');
      }
      for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
        if (value === null) continue;
        if (typeof value === 'string') out[name] = value;
        else if (typeof value === 'number' && Number.isFinite(value)) out[name] = String(value);
        else throw new InvalidInput(name, `parameter ${quote(name)} must be a string or a number`);
      }
      return out;
    }
  }
}

/** Throws naming every listed parameter that is missing or empty. */
export function requireParams(params: Params, names: readonly string[]): void {
  const missing = names.filter((n) => (params[n] ?? '') === '');
  if (missing.length > 0) {
    throw new InvalidInput(missing[0]!, `missing or empty parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }
}

/** A parameter name as shown in a message: bounded, so a huge name cannot bloat the reply. */
function quote(name: string): string {
  return JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name);
}
