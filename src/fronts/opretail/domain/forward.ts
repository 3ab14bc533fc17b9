import { UpstreamUnavailable } from '../../../kernel/errors.ts';
import { callUpstream, DEFAULT_MAX_ANSWER_BYTES, type HttpOptions } from '../../../upstream/http.ts';
import type { DeveloperKey } from './developerKeys.ts';
import type { GatewayMethod } from './gatewayMethods.ts';

const UPSTREAM = 'opretail-method';

/** Deep enough for any real business answer; a deeper one could not be relayed (nor rendered as XML). */
export const MAX_ANSWER_DEPTH = 64;

/** The service answered, but not with something the gateway can relay; the message says what. */
class BadAnswer extends UpstreamUnavailable {}

function deeperThan(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (value !== null && typeof value === 'object') for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** One call of a registered method, as the gateway hands it over once authenticated. */
export interface ForwardedCall {
  key: Pick<DeveloperKey, 'applicationKey' | 'enterpriseId'>;
  /** The business parameters as received (JSON values keep their type). */
  values: Record<string, unknown>;
  requestId: string;
  /** A test key or an `environment: test|dev` call: the method's test service, when it has one. */
  test: boolean;
}

/**
 * Runs operator-registered methods: the business parameters as a JSON POST to the method's
 * service, through the one upstream HTTP helper (its deadline is the method's timeout, its answer
 * is size-capped), the service's JSON answer as `data`. Anything short of a 2xx JSON answer is
 * `UpstreamUnavailable` whose message tells the developer what happened without naming the
 * service's URL (the helper's own message, with host and path, is kept as `detail` for the log).
 */
export class MethodForwarder {
  constructor(
    private readonly http: HttpOptions,
    private readonly defaultTimeoutMs: number,
  ) {}

  async call(method: GatewayMethod, call: ForwardedCall): Promise<unknown> {
    const url = call.test && method.testUrl ? method.testUrl : method.url;
    const timeoutMs = method.timeoutMs ?? this.defaultTimeoutMs;
    const what = `method ${method.name} ${method.version}`;
    try {
      return await callUpstream(
        this.http,
        {
          upstream: UPSTREAM,
          url,
          method: 'POST',
          timeoutMs,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            accept: 'application/json',
            'x-kaifang-akey': call.key.applicationKey,
            'x-kaifang-enterprise-id': String(call.key.enterpriseId),
            'x-request-id': call.requestId,
          },
          body: JSON.stringify(call.values),
        },
        (res) => {
          if (res.status < 200 || res.status > 299)
            throw new UpstreamUnavailable(UPSTREAM, `HTTP ${res.status}`, res.status, 'http-status');
          let data: unknown;
          try {
            data = JSON.parse(res.text);
          } catch {
            throw new BadAnswer(UPSTREAM, 'a body that is not JSON', res.status);
          }
          if (deeperThan(data, MAX_ANSWER_DEPTH))
            throw new BadAnswer(UPSTREAM, `JSON nested deeper than ${MAX_ANSWER_DEPTH} levels`, res.status);
          return data;
        },
      );
    } catch (err) {
      if (!(err instanceof UpstreamUnavailable)) throw err;
      throw new MethodFailed(what, err, timeoutMs, this.http.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES);
    }
  }
}

/** A registered method's service failed; the message is for the developer, `detail` for the log. */
export class MethodFailed extends UpstreamUnavailable {
  readonly detail: string;
  constructor(what: string, cause: UpstreamUnavailable, timeoutMs: number, maxBytes: number) {
    const said: Record<typeof cause.reason, string> = {
      timeout: `the service did not answer within ${timeoutMs} ms`,
      unreachable: 'the service could not be reached',
      'http-status': `the service answered HTTP ${cause.status}`,
      unreadable: cause instanceof BadAnswer ? `the service answered with ${cause.message}` : "the service's answer could not be read",
      'too-large': `the service's answer is larger than ${maxBytes} bytes`,
      'in-progress': 'the service is busy',
    };
    super(UPSTREAM, `${what}: ${said[cause.reason]}`, cause.status, cause.reason);
    this.detail = cause.message;
  }
}
