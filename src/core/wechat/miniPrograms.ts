import type { Selectable } from 'kysely';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../credentials.ts';
import { check, checkText } from '../../kernel/validation.ts';
import type { WechatMiniappTable } from '../../store/schema.ts';

/** A WeChat mini-program whose AppSecret the platform holds on its partners' behalf. */
export interface MiniProgram {
  id: number;
  appid: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface MiniProgramWithSecret extends MiniProgram {
  secret: string;
}

/** WeChat appids are "wx" and 16 hex digits; letters of either case are let through for imports. */
export const WECHAT_APPID_PATTERN = /^wx[0-9A-Za-z]{16}$/;

/** What kaifang accepts as a WeChat AppSecret: WeChat makes them, so there is nothing to generate. */
export const WECHAT_APP_SECRET = { param: 'secret', minLength: 8, importMinLength: 8, maxLength: 128 } as const;

function validate(input: { appid?: string; name?: string }): void {
  if (input.appid !== undefined)
    check('appid', WECHAT_APPID_PATTERN.test(input.appid), 'appid must be "wx" followed by 16 letters or digits');
  if (input.name !== undefined) checkText('name', input.name, 100);
}

type Row = Selectable<WechatMiniappTable>;

function fromRow(row: Row): MiniProgram {
  return {
    id: Number(row.id),
    appid: row.appid,
    name: row.name,
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const SPEC: CredentialSpec<'wechat_miniapps', MiniProgram, MiniProgramWithSecret> = {
  table: 'wechat_miniapps',
  idColumn: 'appid',
  searchColumns: ['appid', 'name'],
  secretColumn: 'secret_sealed',
  what: 'miniProgram',
  label: 'mini-program',
  idPattern: WECHAT_APPID_PATTERN,
  secret: WECHAT_APP_SECRET,
  fromRow,
  withSecret: (app, secret) => ({ ...app, secret }),
  enabled: (app) => app.enabled,
};

/** Mini-programs (appid + sealed AppSecret), on the shared sealed-credential base. */
export class MiniPrograms extends SealedCredentials<'wechat_miniapps', MiniProgram, MiniProgramWithSecret> {
  constructor(deps: CredentialDeps) {
    super(deps, SPEC);
  }

  async create(input: { appid: string; secret: string; name?: string }): Promise<MiniProgram> {
    check('appid', typeof input.appid === 'string' && input.appid !== '', 'appid is required');
    const name = input.name ?? input.appid;
    validate({ appid: input.appid, name });
    const now = this.clock.now();
    const { created } = await this.insert(input.appid, { name, enabled: 1, created_at: now, updated_at: now }, { secret: input.secret });
    const { secret: _secret, ...app } = created;
    return app;
  }

  async setSecret(appid: string, secret: string): Promise<MiniProgram> {
    check('secret', typeof secret === 'string' && secret !== '', 'secret is required');
    const { secret: _secret, ...app } = await this.rotateSecret(appid, secret);
    return app;
  }

  update(appid: string, changes: { name?: string }): Promise<MiniProgram> {
    validate(changes);
    return this.updateColumns(appid, { ...(changes.name !== undefined ? { name: changes.name } : {}), updated_at: this.clock.now() });
  }
}
