import { UpstreamRejected, UpstreamUnavailable } from '../../kernel/errors.ts';
import { callUpstream, jsonObject, type HttpOptions } from '../http.ts';
import type { SmsProvider } from '../types.ts';

/**
 * The built-in outbox provider. It speaks a tiny JSON protocol to this server's simulator,
 * `POST {base}/send` with `{mobile, code, minutes}` → `{"status": "SENT"}` or
 * `{"status": "REJECTED", "code", "message"}`, so the sandbox exercises the same HTTP, timeout and
 * error paths as a real provider.
 */
export class SandboxSms implements SmsProvider {
  readonly name = 'sandbox';
  constructor(
    /** e.g. http://127.0.0.1:8080/sandbox/sms */
    private readonly baseUrl: () => string,
    private readonly http: HttpOptions,
  ) {}

  async send(mobile: string, code: string, minutes: number): Promise<void> {
    const url = `${this.baseUrl().replace(/\/+$/, '')}/send`;
    const body = JSON.stringify({ mobile, code, minutes });
    await callUpstream(
      this.http,
      { upstream: 'sandbox-sms', url, method: 'POST', headers: { 'content-type': 'application/json' }, body },
      (res) => {
        const reply = jsonObject(res, 'sandbox-sms');
        if (reply.status === 'SENT') return;
        if (reply.status === 'REJECTED') {
          throw new UpstreamRejected('sandbox-sms', String(reply.code ?? 'REJECTED'), String(reply.message ?? ''));
        }
        throw new UpstreamUnavailable('sandbox-sms', `sandbox-sms: unexpected answer (HTTP ${res.status})`, res.status);
      },
    );
  }
}
