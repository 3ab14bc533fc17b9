import { DomainError, InvalidInput } from '../../../kernel/errors.ts';
import type { WechatMiniProgramLogin, WechatSession } from '../../../upstream/types.ts';
import type { MiniPrograms, MiniProgramWithSecret } from '../../../core/wechat/miniPrograms.ts';
import type { AgentGrants } from './grants.ts';

/** How long WeChat keeps a session key, as the seed reports it to callers. */
export const SESSION_EXPIRES_IN = 7200;

const JS_CODE_PATTERN = /^[\x21-\x7e]{1,256}$/;

/**
 * Mini-program login on an agent's behalf: the agent names a granted appid and the `wx.login`
 * code; the platform adds the AppSecret the agent never sees and asks WeChat. WeChat's refusals
 * come back as UpstreamRejected (with the adapter's reason) and its outages as
 * UpstreamUnavailable, for the front to map.
 */
export class MiniProgramLogin {
  constructor(
    private readonly miniPrograms: MiniPrograms,
    private readonly grants: AgentGrants,
    private readonly wechat: () => WechatMiniProgramLogin,
  ) {}

  async code2Session(agentRef: number, appid: string, jsCode: string): Promise<WechatSession & { expires_in: number }> {
    if (!JS_CODE_PATTERN.test(jsCode))
      throw new InvalidInput('js_code', 'js_code must be the code of wx.login (printable ASCII, at most 256 characters)');
    const app = await this.usable(agentRef, appid);
    const session = await this.wechat().code2Session(app.appid, app.secret, jsCode);
    return { ...session, expires_in: SESSION_EXPIRES_IN };
  }

  /** The mini-program when it exists, is enabled and is granted; callers do not learn which failed. */
  private async usable(agentRef: number, appid: string): Promise<MiniProgramWithSecret> {
    const refused = new InvalidInput('appid', 'appid is not a mini-program this agent may use');
    if (!(await this.grants.isGranted(agentRef, appid))) throw refused;
    try {
      return await this.miniPrograms.authenticate(appid);
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'NotFound' || err.kind === 'Disabled')) throw refused;
      throw err;
    }
  }
}
