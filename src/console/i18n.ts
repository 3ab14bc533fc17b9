/**
 * The pages' words in English and Chinese. The language comes from the browser (a `zh` language
 * first in its list gives Chinese) and a switch keeps the choice (only that, in localStorage). The
 * fronts' own names are the platforms' (万店掌, 超赢, 巨彩商服, 上海电信微厅) in both.
 */

export type Lang = 'en' | 'zh';
export interface Words {
  en: string;
  zh: string;
}

const KEY = 'kaifang.lang';

export function initialLang(): Lang {
  const kept = localStorage.getItem(KEY);
  if (kept === 'en' || kept === 'zh') return kept;
  const first = navigator.languages?.[0] ?? navigator.language ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let lang: Lang = 'en';

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

export const currentLang = () => lang;

/** Declared words in the current language. */
export const w = (words: Words | undefined): string => (words ? words[lang] : '');

const T = {
  console: ['kaifang console', 'kaifang 运营控制台'],
  debugger: ['kaifang debugger', 'kaifang 接口调试'],
  skip: ['Skip to the content', '跳到正文'],
  language: ['中文', 'English'],
  switchLanguage: ['切换到中文', 'Switch to English'],
  signIn: ['Sign in', '登录'],
  signOut: ['Sign out', '退出'],
  adminToken: ['Admin token', '管理令牌'],
  adminTokenHint: [
    'In data/admin.token, or KAIFANG_ADMIN_TOKEN. Kept only by the server, as a session.',
    '见 data/admin.token 或 KAIFANG_ADMIN_TOKEN。只在服务器保存为会话。',
  ],
  wrongToken: ['That is not the admin token.', '管理令牌不正确。'],
  signedOut: ['Signed out.', '已退出。'],
  expired: ['The session ended: sign in again.', '会话已结束，请重新登录。'],
  overview: ['At a glance', '概览'],
  calls: ['Call log', '调用日志'],
  audit: ['Audit trail', '审计'],
  actor: ['Actor', '操作者'],
  action: ['Action', '操作'],
  objectId: ['Object', '对象'],
  readOnlySession: ['Read-only token: writes are refused.', '只读令牌：不能修改。'],
  sandbox: ['Sandbox', '沙箱'],
  version: ['Version', '版本'],
  store: ['Store', '存储'],
  state: ['State', '状态存储'],
  mode: ['Upstreams', '上游'],
  processes: ['Processes sharing the state', '共享状态的进程'],
  unknown: ['unknown', '未知'],
  front: ['Front', '前端'],
  reqPerSec: ['Requests/s', '每秒请求'],
  requests: ['Requests', '请求数'],
  p99: ['p99', 'p99'],
  refusals: ['Refusals by outcome', '拒绝（按返回码）'],
  upstream: ['Upstream calls', '上游调用'],
  none: ['none', '无'],
  search: ['Search', '搜索'],
  searchHint: ['Any id opens its page; other text filters this page.', '输入完整编号可直接打开；其他文字筛选本页。'],
  previous: ['Previous', '上一页'],
  next: ['Next', '下一页'],
  of: ['of', '共'],
  page: ['Page', '第'],
  create: ['Create', '创建'],
  save: ['Save', '保存'],
  cancel: ['Cancel', '取消'],
  edit: ['Edit', '编辑'],
  back: ['Back to the list', '返回列表'],
  details: ['Details', '详情'],
  secretOnce: ['Shown this once: copy it now. It is never shown again.', '仅显示这一次：请立即复制，之后不再显示。'],
  copy: ['Copy', '复制'],
  copied: ['Copied', '已复制'],
  confirm: ['Sure? This takes effect at once.', '确定吗？操作立即生效。'],
  done: ['Done.', '完成。'],
  blankKeeps: ['Blank fields keep their stored value.', '留空的字段保持原值。'],
  noRows: ['Nothing here yet.', '暂无记录。'],
  loading: ['Loading…', '加载中…'],
  filters: ['Filters', '筛选'],
  apply: ['Apply', '应用'],
  clear: ['Clear', '清除'],
  endpoint: ['Endpoint', '接口'],
  credential: ['Credential', '凭证'],
  outcome: ['Outcome (the front’s code)', '返回码'],
  result: ['Result', '结果'],
  since: ['From', '开始时间'],
  until: ['To', '结束时间'],
  at: ['At', '时间'],
  latency: ['Latency (ms)', '耗时（毫秒）'],
  requestId: ['Request id', '请求编号'],
  refused: ['Refused', '被拒绝'],
  yes: ['yes', '是'],
  no: ['no', '否'],
  upstreamDuring: ['Upstream calls while it was served (this process)', '处理期间的上游调用（本进程）'],
  chart: ['Calls and refusals per front', '各前端调用与拒绝'],
  lastHour: ['Last hour (per minute)', '最近一小时（每分钟）'],
  lastDay: ['Last day (per minute)', '最近一天（每分钟）'],
  callsSeries: ['calls', '调用'],
  refusalsSeries: ['refusals', '拒绝'],
  smsOutbox: ['SMS outbox', '短信发件箱'],
  templateInbox: ['Template messages', '模板消息'],
  journal: ['WeChat Pay, UnionPay bridge and WeChat login calls', '微信支付、银联网关与微信登录调用'],
  empty: ['Empty it', '清空'],
  paymentCode: ['Make a payment code', '生成付款码'],
  payer: ['Payer', '付款人'],
  expireToken: ["Expire the official account's token", '使公众号令牌过期'],
  officialAccount: ['Official account appid', '公众号 appid'],
  liveOnly: ['The sandbox exists only in sandbox mode (KAIFANG_UPSTREAM=sandbox).', '沙箱只在沙箱模式下提供（KAIFANG_UPSTREAM=sandbox）。'],
  error: ['Error', '错误'],
  actions: ['Actions', '操作'],
  add: ['Add', '添加'],
  remove: ['Remove', '删除'],
  menu: ['Sections', '栏目'],
  refreshing: ['Refreshes itself every few seconds.', '每隔几秒自动刷新。'],
  // debugger
  pickFront: ['Platform', '平台'],
  pickEndpoint: ['Endpoint', '接口'],
  credentialId: ['Credential id', '凭证编号'],
  secret: ['Secret', '密钥'],
  secretStays: [
    'The secret stays in this page: the signature is computed here and the secret is sent nowhere.',
    '密钥只留在本页：签名在本页计算，密钥不会发送到任何地方。',
  ],
  secretSent: [
    'This platform sends the secret itself to get a token: it goes to this server only, in that one request.',
    '此平台获取令牌时需发送密钥本身：仅在该请求中发送给本服务器。',
  ],
  fields: ['Parameters', '参数'],
  extra: ['More parameters (name=value, one a line)', '更多参数（name=value，每行一个）'],
  send: ['Sign and send', '签名并发送'],
  build: ['Sign only', '仅签名'],
  step1: ['1. Parameters as sent', '1. 实际发送的参数'],
  step2: ['2. String to sign (secret masked, separators shown)', '2. 待签名内容（密钥已隐藏，分隔符可见）'],
  step3: ['3. Signature', '3. 签名'],
  step4: ['4. The request as curl', '4. curl 请求'],
  step5: ['5. The reply', '5. 响应'],
  step6: ["6. The reply's signature", '6. 响应签名校验'],
  noSignature: ['This request is not signed.', '此请求无需签名。'],
  replyVerified: ['The reply is signed with this secret: verified.', '响应签名已用此密钥校验通过。'],
  replyNotVerified: ['The reply’s signature does NOT verify with this secret.', '响应签名与此密钥不符。'],
  replyUnsigned: ['The reply carries no signature.', '响应未签名。'],
  explain: ['Explain a refusal', '解释被拒绝的请求'],
  pasted: [
    'The request your code sent: a curl line, a URL, or a raw form or JSON body',
    '你的代码发送的请求：curl 命令、URL，或原始表单 / JSON 请求体',
  ],
  pastedPath: ['Path, when you paste a bare body', '仅粘贴请求体时的路径'],
  theirs: ['The string your code signed (optional)', '你的代码签名的字符串（可选）'],
  check: ['Check it', '检查'],
  firstFailing: ['First failing check', '第一个未通过的检查'],
  allPass: [
    'Every check the page can redo passes: what is left is on the server (the credential exists and is enabled).',
    '本页可重做的检查全部通过：余下的（凭证存在且已启用）由服务器检查。',
  ],
  serverOnly: ['checked by the server only', '仅由服务器检查'],
  expected: ['Expected', '期望'],
  received: ['Received', '收到'],
  skew: ['Clock skew', '时间偏差'],
  seconds: ['s', '秒'],
  differsAt: ['First difference at character', '首个不同字符位置'],
  headers: ['Headers', '响应头'],
  took: ['took', '耗时'],
} satisfies Record<string, [string, string]>;

export type Key = keyof typeof T;

/** One of the pages' own words in the current language. */
export const t = (key: Key): string => T[key][lang === 'en' ? 0 : 1];
