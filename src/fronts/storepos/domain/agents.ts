import type { Selectable } from 'kysely';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../../../core/credentials.ts';
import { check, checkInteger, checkText, LIMITS } from '../../../kernel/validation.ts';
import { randomDigits, randomString } from '../../../kernel/random.ts';
import type { StoreposAgentTable } from '../tables.ts';

/** A storepos (超赢) agent (代理商): the caller of the storepos front, identified by `agent_id`. */
export interface Agent {
  id: number;
  agentId: string;
  name: string;
  enabled: boolean;
  /** Own SMS sends per CST day; null = the deployment's default. */
  smsDailyCap: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AgentWithKey extends Agent {
  key: string;
}

export interface NewAgent {
  name: string;
  /** Import an existing agent number; otherwise 17 random digits (the seed's length). */
  agentId?: string;
  /** Import an existing key; otherwise 32 random characters. */
  key?: string;
  smsDailyCap?: number | null;
}

// Imported numbers come from the original platform: digits only, so they sign and log plainly.
export const AGENT_ID_PATTERN = /^[0-9]{1,32}$/;

function validate(input: { name?: string; agentId?: string; smsDailyCap?: number | null }): void {
  if (input.name !== undefined) checkText('name', input.name, 100);
  if (input.agentId !== undefined) check('agentId', AGENT_ID_PATTERN.test(input.agentId), 'agentId must be 1–32 digits');
  if (input.smsDailyCap != null) checkInteger('smsDailyCap', input.smsDailyCap, 0, LIMITS.smsDailyCap);
}

type Row = Selectable<StoreposAgentTable>;

function fromRow(row: Row): Agent {
  return {
    id: Number(row.id),
    agentId: row.agent_id,
    name: row.name,
    enabled: row.enabled === 1,
    smsDailyCap: row.sms_daily_cap === null ? null : Number(row.sms_daily_cap),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const SPEC: CredentialSpec<'storepos_agents', Agent, AgentWithKey> = {
  table: 'storepos_agents',
  idColumn: 'agent_id',
  searchColumns: ['agent_id', 'name'],
  children: [{ table: 'storepos_grants', column: 'agent_ref', label: 'grants', owned: true }],
  secretColumn: 'key_sealed',
  what: 'agent',
  label: 'agent',
  idPattern: AGENT_ID_PATTERN,
  secret: { param: 'key', generatedLength: 32, minLength: 16, importMinLength: 1, maxLength: 128 },
  fromRow,
  withSecret: (agent, key) => ({ ...agent, key }),
  enabled: (agent) => agent.enabled,
  wireParam: 'agent_id',
};

/**
 * Agents of the storepos front: issuing, importing, switching on and off, rotating keys, on the
 * shared sealed-credential base (the key is needed in clear to compute MD5 signatures).
 */
export class Agents extends SealedCredentials<'storepos_agents', Agent, AgentWithKey> {
  constructor(deps: CredentialDeps) {
    super(deps, SPEC);
  }

  /** Issues an agent, or imports one (`agentId`/`key` given); `warning` flags a short imported key. */
  async create(input: NewAgent): Promise<AgentWithKey & { warning: string | undefined }> {
    validate(input);
    const now = this.clock.now();
    // A generated number never starts with 0, so it keeps its 17 digits wherever it is parsed.
    const agentId = input.agentId ?? randomString(1, '123456789') + randomDigits(16);
    const { created, warning } = await this.insert(
      agentId,
      { name: input.name, enabled: 1, sms_daily_cap: input.smsDailyCap ?? null, created_at: now, updated_at: now },
      input.key === undefined ? {} : { secret: input.key, imported: true },
    );
    return { ...created, warning };
  }

  update(agentId: string, changes: { name?: string; smsDailyCap?: number | null }): Promise<Agent> {
    validate(changes);
    const set: Partial<Row> = { updated_at: this.clock.now() };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.smsDailyCap !== undefined) set.sms_daily_cap = changes.smsDailyCap;
    return this.updateColumns(agentId, set);
  }
}
