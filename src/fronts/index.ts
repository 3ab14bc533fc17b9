import type { FastifyPluginAsync } from 'fastify';
import type { Kaifang } from '../server/kaifang.ts';
import { opretailFront } from './opretail/index.ts';
import { storeposFront } from './storepos/index.ts';

/** Each front is an encapsulated Fastify plugin with its own parsers and error table. */
export const fronts: FastifyPluginAsync<{ k: Kaifang }>[] = [opretailFront, storeposFront];
