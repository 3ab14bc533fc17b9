import { constantTimeEqual } from '../kernel/secrets.ts';
import { UpstreamRejected, UpstreamUnavailable, type RejectReason } from '../kernel/errors.ts';
import { bodySignature } from './hmac.ts';
import { callUpstream, jsonObject, type HttpOptions } from './http.ts';
import type { UnionPayBridgeSettings, UnionPayUserIds } from './types.ts';

/** The HMAC secret the sandbox's bridge checks and signs with (README, "The sandbox"). */
export const SANDBOX_BRIDGE_SECRET = 'kaifang-sandbox-bridge-secret';

/** The bridge's `code`s for a refused code, classified once. */
const REASONS: Record<string, RejectReason> = {
  AUTHCODE_INVALID: 'invalid-code',
  AUTHCODE_EXPIRE: 'expired-code',
  SYSTEM_ERROR: 'busy',
};

/**
 * The UnionPay acquirer bridge (README: "Writing a UnionPay bridge"): `POST <bridge url>` with JSON
 * `{userAuthCode, appUpIdentifier, merchantNo, requestId, timestamp}` and `X-Kaifang-Signature`
 * (HMAC-SHA256 of the body with the channel's secret); the bridge answers `{code, msg, userId}`
 * with its own `X-Kaifang-Signature` over its body, checked before anything in it is believed.
 * `code` `000000` is success; `AUTHCODE_INVALID`, `AUTHCODE_EXPIRE`, `SYSTEM_ERROR` or any other
 * is a refusal. Never retried.
 */
export class UnionPayBridgeAdapter implements UnionPayUserIds {
  constructor(
    /** In sandbox mode, where every bridge URL goes instead (this server's simulator). */
    private readonly sandboxUrl: (() => string) | undefined,
    private readonly http: HttpOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async userIdOf(
    bridge: UnionPayBridgeSettings,
    request: { userAuthCode: string; appUpIdentifier: string; requestId: string },
  ): Promise<{ userId: string }> {
    const timestamp = Math.floor(this.now() / 1000);
    const body = JSON.stringify({ ...request, merchantNo: bridge.merchantNo, timestamp });
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'x-kaifang-signature': bodySignature(bridge.secret, body),
      'x-kaifang-timestamp': String(timestamp),
    };
    const url = this.sandboxUrl ? this.sandboxUrl() : bridge.url;
    return callUpstream(this.http, { upstream: 'unionpay-bridge', url, method: 'POST', headers, body }, (res) => {
      const signature = res.headers.get('x-kaifang-signature') ?? '';
      if (!constantTimeEqual(signature, bodySignature(bridge.secret, res.text))) {
        throw new UpstreamUnavailable(
          'unionpay-bridge',
          `unionpay-bridge: the answer (HTTP ${res.status}) is not signed with the channel secret`,
          res.status,
        );
      }
      const reply = jsonObject(res, 'unionpay-bridge');
      const code = typeof reply.code === 'string' ? reply.code : '';
      if (code === '000000') {
        if (typeof reply.userId !== 'string' || reply.userId === '')
          throw new UpstreamUnavailable('unionpay-bridge', 'unionpay-bridge: success without a userId', res.status);
        return { userId: reply.userId };
      }
      if (code === '')
        throw new UpstreamUnavailable('unionpay-bridge', `unionpay-bridge: the answer (HTTP ${res.status}) has no code`, res.status);
      throw new UpstreamRejected('unionpay-bridge', code, typeof reply.msg === 'string' ? reply.msg : '', REASONS[code] ?? 'other');
    });
  }
}
