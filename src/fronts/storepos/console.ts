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

/** The 超赢 pages of the console: agents and the mini-programs granted to them. */
export const storeposConsole: FrontConsole = {
  label: words('超赢 (storepos)', '超赢'),
  // `<state>:<code>`: SUCCESS with 10000 is a success, and GetMchSMSValid's success carries the
  // code's validity in minutes instead; SUCCESS with a 1000x code is the upstream's refusal.
  succeeded: (outcome, endpoint) =>
    outcome === 'SUCCESS:10000' || (endpoint === '/Mch/GetMchSMSValid' && /^SUCCESS:\d{1,4}$/.test(outcome)),
  resources: [
    {
      id: 'agents',
      title: words('Agents', '代理商'),
      path: '/agents',
      listField: 'agents',
      key: 'agentId',
      paged: true,
      filters: SEARCH,
      show: true,
      columns: [
        { field: 'agentId', label: words('Agent id', '代理商编号'), kind: 'code' },
        { field: 'name', label: words('Name', '名称') },
        STATUS_COLUMN,
        { field: 'smsDailyCap', label: words('SMS per day', '每日短信上限'), kind: 'number' },
        CREATED_COLUMN,
      ],
      create: { label: words('Create or import an agent', '创建或导入代理商'), body: S.createAgentBody, reveals: ['secret'] },
      edit: { body: S.updateAgentBody },
      actions: [...SWITCH_ACTIONS, ROTATE_SECRET, setSecretAction(setSecretBody), ...deleteActions()],
      sections: [
        {
          title: words('Mini-program grants', '小程序授权'),
          path: '',
          listField: 'appids',
          columns: [{ field: 'appid', label: words('Mini-program appid', '小程序 appid'), kind: 'code' }],
          add: { label: words('Grant', '授权'), method: 'PUT', path: '/agents/{id}/grants/{appid}', pathFields: S.grantParams },
          remove: { label: words('Revoke', '撤销'), path: '/agents/{id}/grants/{appid}' },
        },
      ],
    },
  ],
};
