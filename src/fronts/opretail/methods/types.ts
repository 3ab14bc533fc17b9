import type { DeveloperKeyWithSecret } from '../../../core/opretail/developerKeys.ts';
import type { Kaifang } from '../../../server/kaifang.ts';

/** What a method receives once the gateway has authenticated the call. */
export interface MethodCall {
  k: Kaifang;
  key: DeveloperKeyWithSecret;
  /** Business parameters only, as signed text and as received values. */
  text: Record<string, string>;
  values: Record<string, unknown>;
  requestId: string;
  /** Test key, or an `environment: test|dev` header: use the method's test service. */
  test: boolean;
}

export type BuiltInMethod = (call: MethodCall) => Promise<unknown>;
