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

const openidFilter = [{ name: 'openid', label: words('openid', 'openid') }];

/** The 上海电信微厅 pages of the console: partner apps, users and their bound devices, tickets, notices, orders, logins. */
export const weitingConsole: FrontConsole = {
  label: words('上海电信微厅 (Weiting)', '上海电信微厅'),
  // `status` 200 is a success; user/info answers `flag` 0 (found) or 1 (no such user), which are answers too.
  succeeded: (outcome, endpoint) => outcome === '200' || (endpoint === '/service/1.0/user/info' && (outcome === '0' || outcome === '1')),
  sandboxFeeds: [
    {
      title: words('微厅 logins reported by partners', '合作方上报的微厅登录'),
      path: '/logins?limit=20',
      listField: 'logins',
      columns: [
        { field: 'createdAt', label: words('At', '时间'), kind: 'time' },
        { field: 'appid', label: words('App', '应用'), kind: 'code' },
        { field: 'openid', label: words('openid', 'openid'), kind: 'code' },
        { field: 'deviceno', label: words('Device', '设备号'), kind: 'code' },
      ],
    },
  ],
  resources: [
    {
      id: 'apps',
      title: words('Partner apps', '合作方应用'),
      path: '/apps',
      listField: 'apps',
      key: 'appid',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'appid', label: words('appid', 'appid'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        { field: 'allowedHosts', label: words('Allowed hosts', '允许的回跳域名'), kind: 'list' },
        { field: 'dailyTokenLimit', label: words('Tokens per day', '每日令牌上限'), kind: 'number' },
        CREATED_COLUMN,
      ],
      create: { label: words('Create or import an app', '创建或导入应用'), body: S.createAppBody, reveals: ['secret'] },
      edit: { body: S.updateAppBody },
      actions: [
        ...SWITCH_ACTIONS,
        ROTATE_SECRET,
        setSecretAction(setSecretBody),
        ...deleteActions(words('Delete with its notices and reports', '连同其通知和上报记录一并删除')),
      ],
    },
    {
      id: 'users',
      title: words('Users', '用户'),
      path: '/users',
      listField: 'users',
      key: 'openid',
      paged: true,
      show: true,
      filters: [{ name: 'q', label: words('openid, nickname or device', 'openid、昵称或设备号') }],
      columns: [
        { field: 'openid', label: words('openid', 'openid'), kind: 'code' },
        { field: 'nickname', label: words('Nickname', '昵称') },
        { field: 'devices', label: words('Bound devices', '绑定设备'), kind: 'number' },
        CREATED_COLUMN,
      ],
      sections: [
        {
          title: words('Bound devices', '绑定设备'),
          path: '',
          listField: 'accounts',
          columns: [
            { field: 'deviceno', label: words('Device number', '设备号'), kind: 'code' },
            { field: 'devicename', label: words('Kind', '类型') },
            { field: 'bpn', label: words('bpn', 'bpn') },
            { field: 'boundAt', label: words('Bound', '绑定时间'), kind: 'time' },
          ],
        },
      ],
    },
    {
      id: 'tickets',
      title: words('App tickets', '应用票据'),
      path: '/tickets',
      listField: 'tickets',
      key: 'ticket',
      noList: true,
      columns: [],
      create: {
        label: words('Issue a ticket (5 minutes, single use)', '签发票据（5 分钟，单次有效）'),
        body: S.ticketBody,
        reveals: ['ticket'],
      },
    },
    {
      id: 'notices',
      title: words('Prize notices', '中奖通知'),
      path: '/notices',
      listField: 'notices',
      key: 'id',
      filters: openidFilter,
      columns: [
        { field: 'createdAt', label: words('At', '时间'), kind: 'time' },
        { field: 'appid', label: words('App', '应用'), kind: 'code' },
        { field: 'openid', label: words('openid', 'openid'), kind: 'code' },
        { field: 'outcome', label: words('Outcome', '结果'), kind: 'status' },
        { field: 'reason', label: words('Reason', '原因') },
        { field: 'fields', label: words('Fields', '内容'), kind: 'json' },
      ],
    },
    {
      id: 'orders',
      title: words('Orders', '订单'),
      path: '/orders',
      listField: 'orders',
      key: 'orderNo',
      filters: openidFilter,
      columns: [
        { field: 'orderNo', label: words('Order number', '订单号'), kind: 'code' },
        { field: 'appid', label: words('App', '应用'), kind: 'code' },
        { field: 'openid', label: words('openid', 'openid'), kind: 'code' },
        { field: 'deviceno', label: words('Device', '设备号'), kind: 'code' },
        CREATED_COLUMN,
      ],
    },
    {
      id: 'logins',
      title: words('Logins', '登录记录'),
      path: '/logins',
      listField: 'logins',
      key: 'id',
      filters: openidFilter,
      columns: [
        { field: 'createdAt', label: words('At', '时间'), kind: 'time' },
        { field: 'appid', label: words('App', '应用'), kind: 'code' },
        { field: 'openid', label: words('openid', 'openid'), kind: 'code' },
        { field: 'deviceno', label: words('Device', '设备号'), kind: 'code' },
      ],
    },
  ],
};
