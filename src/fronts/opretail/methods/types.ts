import type { DeveloperKeyWithSecret } from '../domain/developerKeys.ts';

/** What a built-in method receives once the gateway has authenticated the call: nothing more. */
export interface MethodCall {
  /** The calling key (its caller already holds the secret). */
  key: DeveloperKeyWithSecret;
  /** Business parameters only, as signed text. */
  text: Record<string, string>;
  /** The platform's time, ms. */
  now: number;
}

export type BuiltInMethod = (call: MethodCall) => Promise<unknown>;
