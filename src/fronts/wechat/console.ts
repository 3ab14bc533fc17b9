import { setSecretBody } from '../kit/adminValidation.ts';
import {
  CREATED_COLUMN,
  deleteActions,
  SEARCH,
  setSecretAction,
  STATUS_COLUMN,
  SWITCH_ACTIONS,
  words,
  type FrontConsole,
} from '../kit/console.ts';
import * as S from './admin/schemas.ts';

/** The WeChat apps the platform holds secrets for: mini-programs, official accounts, WeChat Pay merchants. */
export const wechatConsole: FrontConsole = {
  label: words('WeChat apps', '微信应用'),
  succeeded: () => true,
  resources: [
    {
      id: 'official-accounts',
      title: words('Official accounts', '公众号'),
      path: '/official-accounts',
      listField: 'officialAccounts',
      key: 'appid',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'appid', label: words('AppID', 'AppID'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        { field: 'prizeTemplateId', label: words('Prize template', '中奖模板'), kind: 'code' },
        CREATED_COLUMN,
      ],
      create: { label: words('Register an official account', '登记公众号'), body: S.createOfficialAccountBody },
      edit: { body: S.updateOfficialAccountBody },
      actions: [...SWITCH_ACTIONS, setSecretAction(setSecretBody, words('Set AppSecret', '设置 AppSecret')), ...deleteActions()],
    },
    {
      id: 'pay-merchants',
      title: words('WeChat Pay merchants', '微信支付商户'),
      path: '/pay-merchants',
      listField: 'payMerchants',
      key: 'mchId',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'mchId', label: words('mch_id', '商户号'), kind: 'code' },
        { field: 'appid', label: words('AppID', 'AppID'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        CREATED_COLUMN,
      ],
      create: { label: words('Register a pay merchant', '登记支付商户'), body: S.createPayMerchantBody },
      edit: { body: S.updatePayMerchantBody },
      actions: [...SWITCH_ACTIONS, setSecretAction(setSecretBody, words('Set API v2 key', '设置 API v2 密钥')), ...deleteActions()],
    },
    {
      id: 'miniapps',
      title: words('Mini-programs', '小程序'),
      path: '/miniapps',
      listField: 'miniapps',
      key: 'appid',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'appid', label: words('AppID', 'AppID'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        CREATED_COLUMN,
      ],
      create: { label: words('Register a mini-program', '登记小程序'), body: S.createMiniappBody },
      edit: { body: S.updateMiniappBody },
      actions: [...SWITCH_ACTIONS, setSecretAction(setSecretBody, words('Set AppSecret', '设置 AppSecret')), ...deleteActions()],
    },
  ],
};
