import { setSecretBody } from '../kit/adminValidation.ts';
import {
  CREATED_COLUMN,
  deleteActions,
  ROTATE_SECRET,
  SEARCH,
  setSecretAction,
  STATUS_COLUMN,
  SWITCH_ACTIONS,
  words,
  type FrontConsole,
} from '../kit/console.ts';
import * as S from './admin/schemas.ts';

/** The 万店掌 pages of the console: developer keys (with their grants) and gateway methods. */
export const opretailConsole: FrontConsole = {
  label: words('万店掌 (Opretail)', '万店掌'),
  succeeded: (outcome) => outcome === '0',
  resources: [
    {
      id: 'keys',
      title: words('Developer keys', '开发者密钥'),
      path: '/keys',
      listField: 'keys',
      key: 'applicationKey',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'applicationKey', label: words('Key', '密钥'), kind: 'code' },
        { field: 'username', label: words('Developer', '开发者') },
        { field: 'enterpriseId', label: words('Enterprise', '企业'), kind: 'number' },
        STATUS_COLUMN,
        {
          field: 'ifexpire',
          label: words('Expiry (1 never, 2 expired, 3 in service)', '过期 (1 永不, 2 已过期, 3 服务中)'),
          kind: 'number',
        },
        { field: 'expire', label: words('Expires', '到期'), kind: 'time' },
        { field: 'ratePerSecond', label: words('Calls/s', '每秒调用'), kind: 'number' },
        { field: 'ratePerDay', label: words('Calls/day', '每日调用'), kind: 'number' },
      ],
      create: { label: words('Create or import a key', '创建或导入密钥'), body: S.createKeyBody, reveals: ['secret'] },
      edit: { body: S.updateKeyBody },
      actions: [
        ...SWITCH_ACTIONS,
        { suffix: '/expire', label: words('Expire', '设置过期'), body: S.expireBody, confirm: true },
        ROTATE_SECRET,
        setSecretAction(setSecretBody),
        ...deleteActions(),
      ],
      sections: [
        {
          title: words('Granted methods', '已授权方法'),
          path: '/grants',
          listField: 'grants',
          note: words('Administrator keys (developerType 1) may call every method.', '管理员密钥 (developerType 1) 可调用所有方法。'),
          columns: [
            { field: 'name', label: words('Method', '方法'), kind: 'code' },
            { field: 'version', label: words('Version', '版本'), kind: 'code' },
            STATUS_COLUMN,
          ],
          add: { label: words('Grant', '授权'), method: 'PUT', path: '/keys/{id}/grants/{name}/{version}', pathFields: S.methodParams },
          remove: { label: words('Revoke', '撤销'), path: '/keys/{id}/grants/{name}/{version}' },
        },
      ],
    },
    {
      id: 'methods',
      title: words('Gateway methods', '网关方法'),
      path: '/methods',
      listField: 'methods',
      key: 'name',
      keyPath: '{name}/{version}',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'name', label: words('Method', '方法'), kind: 'code' },
        { field: 'version', label: words('Version', '版本'), kind: 'code' },
        { field: 'url', label: words('URL', '地址'), kind: 'code' },
        STATUS_COLUMN,
        { field: 'ratePerSecond', label: words('Calls/s', '每秒调用'), kind: 'number' },
        CREATED_COLUMN,
      ],
      create: { label: words('Register a method', '注册方法'), body: S.createMethodBody },
      edit: { body: S.updateMethodBody },
      actions: SWITCH_ACTIONS,
    },
  ],
};
