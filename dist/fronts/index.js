import { opretailFront } from './opretail/index.js';
import { storeposFront } from './storepos/index.js';
/** Each front is an encapsulated Fastify plugin with its own parsers and error table. */
export const fronts = [opretailFront, storeposFront];
