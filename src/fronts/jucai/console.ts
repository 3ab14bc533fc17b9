import { setSecretBody } from '../kit/adminValidation.ts';
import {
  CREATED_COLUMN,
  deleteActions,
  pick,
  ROTATE_SECRET,
  SEARCH,
  setSecretAction,
  STATUS_COLUMN,
  SWITCH_ACTIONS,
  words,
  type FrontConsole,
} from '../kit/console.ts';
import * as S from './admin/schemas.ts';

const channelColumns = [
  { field: 'wayCode', label: words('Way', '支付方式'), kind: 'code' },
  STATUS_COLUMN,
  { field: 'usable', label: words('Usable now', '当前可用'), kind: 'bool' },
  { field: 'why', label: words('Why not', '不可用原因') },
  { field: 'wechatPayMchId', label: words('WeChat Pay merchant', '微信支付商户'), kind: 'code' },
  { field: 'subMchId', label: words('sub_mch_id', '子商户号'), kind: 'code' },
  { field: 'bridgeUrl', label: words('Bridge', '银联网关'), kind: 'code' },
] as const;

const appColumns = [
  { field: 'appId', label: words('App id', '应用 ID'), kind: 'code' },
  { field: 'mchNo', label: words('Merchant', '商户'), kind: 'code' },
  { field: 'name', label: words('Name', '名称') },
  STATUS_COLUMN,
  CREATED_COLUMN,
] as const;

/** The 巨彩商服 pages of the console: ISVs → merchants → their channels and apps. */
export const jucaiConsole: FrontConsole = {
  label: words('巨彩商服 (Jucai)', '巨彩商服'),
  // `<code>` or `<code>:<returnCode>`: 200 with 000000 is a success.
  succeeded: (outcome) => outcome === '200:000000',
  resources: [
    {
      id: 'isvs',
      title: words('ISVs', '服务商'),
      path: '/isvs',
      listField: 'isvs',
      key: 'isvNo',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'isvNo', label: words('ISV number', '服务商号'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        CREATED_COLUMN,
      ],
      create: { label: words('Create or import an ISV', '创建或导入服务商'), body: S.createIsvBody },
      edit: { body: S.updateIsvBody },
      actions: [
        ...SWITCH_ACTIONS,
        ...deleteActions(words('Delete with its merchants, apps and channels', '连同其商户、应用和通道一并删除')),
      ],
      sections: [
        {
          title: words('Merchants', '商户'),
          path: '/merchants?isvNo={id}',
          listField: 'merchants',
          columns: [
            { field: 'mchNo', label: words('Merchant', '商户号'), kind: 'code' },
            { field: 'name', label: words('Name', '名称') },
            STATUS_COLUMN,
          ],
        },
      ],
    },
    {
      id: 'merchants',
      title: words('Merchants', '商户'),
      path: '/merchants',
      listField: 'merchants',
      key: 'mchNo',
      paged: true,
      show: true,
      filters: [...SEARCH, { name: 'isvNo', label: words('ISV number', '服务商号') }],
      columns: [
        { field: 'mchNo', label: words('Merchant', '商户号'), kind: 'code' },
        { field: 'isvNo', label: words('ISV', '服务商'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        { field: 'ratePerSecond', label: words('Calls/s', '每秒调用'), kind: 'number' },
        { field: 'appRatePerSecond', label: words('Calls/s per app', '每应用每秒调用'), kind: 'number' },
      ],
      create: { label: words('Create or import a merchant', '创建或导入商户'), body: S.createMerchantBody },
      edit: { body: S.updateMerchantBody },
      actions: [...SWITCH_ACTIONS, ...deleteActions(words('Delete with its apps and channels', '连同其应用和通道一并删除'))],
      sections: [
        {
          title: words('Channels', '支付通道'),
          path: '/channel-status',
          listField: 'channels',
          note: words(
            'Usable: the channel, its merchant, its ISV and (WECHAT) its WeChat Pay merchant are all enabled. Blank fields keep the stored value; the bridge secret is never shown.',
            '可用：通道、商户、服务商以及（微信）微信支付商户都已启用。留空的字段保持原值；银联网关密钥从不显示。',
          ),
          columns: channelColumns,
          add: {
            label: words('Set a channel', '设置通道'),
            method: 'PUT',
            path: '/merchants/{id}/channels/{wayCode}',
            pathFields: pick(S.channelParams, ['wayCode']),
            body: S.channelBody,
          },
          remove: { label: words('Remove', '删除'), path: '/merchants/{id}/channels/{wayCode}' },
        },
        { title: words('Apps', '应用'), path: '/apps', listField: 'apps', columns: appColumns },
      ],
    },
    {
      id: 'apps',
      title: words('Apps', '应用'),
      path: '/apps',
      listField: 'apps',
      key: 'appId',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: appColumns,
      create: { label: words('Create or import an app', '创建或导入应用'), body: S.createAppBody, reveals: ['secret'] },
      edit: { body: S.updateAppBody },
      actions: [...SWITCH_ACTIONS, ROTATE_SECRET, setSecretAction(setSecretBody), ...deleteActions()],
    },
  ],
};
