import type { Clock } from '../../kernel/clock.ts';
import { DeveloperKeys } from './domain/developerKeys.ts';
import { MethodForwarder } from './domain/forward.ts';
import { GatewayMethods } from './domain/gatewayMethods.ts';
import type { Core } from '../../core/platform.ts';
import type { Quotas, ReplayGuard } from '../../core/quota.ts';
import type { OpretailSettings } from './settings.ts';

/** What the gateway, its admin routes, its CLI and its demo use: nothing else of the platform. */
export interface OpretailServices {
  readonly keys: DeveloperKeys;
  readonly methods: GatewayMethods;
  readonly forwarder: MethodForwarder;
  readonly replay: ReplayGuard;
  readonly quotas: Quotas;
  readonly clock: Clock;
  readonly settings: OpretailSettings;
}

export function createOpretailServices(core: Core, settings: OpretailSettings): OpretailServices {
  return {
    keys: new DeveloperKeys(core, settings.opretailAid),
    methods: new GatewayMethods(core.db, core.clock, core.cache),
    forwarder: new MethodForwarder(core.upstreams.http, core.upstreams.http.timeoutMs),
    replay: core.replay,
    quotas: core.quotas,
    clock: core.clock,
    settings,
  };
}
