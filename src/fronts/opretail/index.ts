import type { FastifyInstance } from 'fastify';
import type { Kaifang } from '../../server/kaifang.ts';
import { useFrontBodyParsers } from '../../server/bodies.ts';

/** The 万店掌 (Opretail) gateway: `/m.api`. */
export async function opretailFront(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  useFrontBodyParsers(app);
  void k;
}
