// Every error the service can answer, in plain Chinese a driver can act on.
// The service's `message` is English for developers; drivers see only these words.

const BY_CODE = {
  MALFORMED_BODY: '提交的内容有误，请重新填写后再试。',
  INVALID_INPUT: '有一项填写得不对，请检查后再提交。',
  UNSUPPORTED_MEDIA_TYPE: '提交的内容格式不对，请更新小程序后再试。',
  PAYLOAD_TOO_LARGE: '内容太大了。照片请不要超过 15 兆。',
  IDEMPOTENCY_KEY_REUSED: '这次提交与上一次不一致，请重新操作。',
  NOT_AUTHENTICATED: '登录已失效，正在重新登录，请再试一次。',
  TOKEN_EXPIRED: '登录已过期，正在重新登录，请再试一次。',
  INVALID_LOGIN_CODE: '微信登录没有成功，请重新打开小程序。',
  NOT_PERMITTED: '这一步需要由另一方来完成。',
  ACCOUNT_LOCKED: '账号暂时被锁定，请稍后再试。',
  NOT_FOUND: '没有找到相关内容。',
  CASE_NOT_FOUND: '没有找到这个案件，可能不是您参与的案件。',
  PHOTO_NOT_FOUND: '没有找到这张照片。',
  ILLEGAL_TRANSITION: '案件当前的进度不能做这一步，请刷新后查看最新进度。',
  JOIN_CODE_INVALID: '加入码不对或已过期。请让对方重新生成一个加入码。',
  PRECONDITION_FAILED: '现在还不能做这一步，请按页面提示先完成前面的步骤。',
  ALREADY_EXISTS: '这项内容已经提交过了。',
  CONCURRENT_UPDATE: '对方刚好也在操作，请稍等几秒再试。',
  REQUEST_IN_PROGRESS: '上一次提交还在处理中，请稍等几秒。',
  RATE_LIMITED: '操作太频繁了，请等一分钟再试。',
  UPSTREAM_UNAVAILABLE: '服务暂时忙，请稍后再试。',
  UPSTREAM_TIMEOUT: '服务响应太慢，请稍后再试。',
  UPSTREAM_REJECTED: '微信暂时无法完成这一步，请稍后再试。',
  PHOTO_REJECTED: '这张照片不能用作证据，请按示例重新拍一张。',
  CORRUPT_IMAGE: '照片文件已损坏，请重新拍一张。',
  MALFORMED_EXIF: '照片文件不完整，请用相机重新拍一张。',
  IMAGE_TOO_LARGE: '照片像素太大，请用手机相机正常拍摄。',
  EMPTY_UPLOAD: '没有收到照片，请重新拍一张。',
  INTERNAL: '系统出了点问题，请稍后再试。',
  DATABASE_UNAVAILABLE: '系统正在维护，请过一会儿再试。',
  CLAIM_NOT_FOUND: '没有找到这笔理赔。',
  UPSTREAM_THROTTLED: '服务繁忙，请稍后再试。',
  UPSTREAM_NOT_FOUND: '对方系统里没有找到这条记录，请稍后再试。',
  UPSTREAM_AUTH_FAILED: '服务暂时不可用，请稍后再试。',
  RECIPIENT_REFUSED: '通知没有发出去，您可以在“我的案件”里查看进度。',
  OUTBOX_MESSAGE_NOT_FOUND: '没有找到相关内容。',
  BAD_REQUEST: '提交的内容有误，请重新填写后再试。',
  FORBIDDEN: '您没有权限做这一步。',
  METHOD_NOT_ALLOWED: '这一步现在做不了，请更新小程序后再试。',
  DETERMINATION_REFUSED: '这项认定不符合规定，请交警重新认定。',
}

// Reasons the service names in details.reason.
const BY_REASON = {
  signature_confirmation_invalid: '签字确认已失效，请重新点击“同意并签字”。',
  reconsideration_window_closed: '申请复核的期限（认定书送达后 3 日内）已经过了。',
  reconsideration_already_requested: '您已经申请过复核，每一方只能申请一次。',
}

// Field names in details.field, as a driver calls them.
const FIELDS = {
  name: '姓名', id_number: '身份证号', phone: '手机号', licence_number: '驾驶证号',
  licence_class: '准驾车型', plate: '车牌号', vehicle_type: '车辆类型', insurer_code: '保险公司',
  policy_number: '保单号', code: '验证码', reason: '理由', address: '事故地点',
  description: '事故经过', occurred_at: '事故时间', location: '位置',
  slot: '照片类型', upload_id: '照片编号', captured_at: '拍摄时间', file: '照片',
  latitude: '位置', longitude: '位置', narrative: '补充说明',
}

const BY_STATUS = {
  400: '提交的内容有误，请重新填写后再试。',
  401: '登录已失效，请重新打开小程序。',
  403: '您没有权限做这一步。',
  404: '没有找到相关内容。',
  409: '案件的进度已经变化，请刷新后再试。',
  413: '内容太大了。',
  415: '提交的内容格式不对。',
  422: '有一项填写得不对，请检查后再提交。',
  429: '操作太频繁了，请等一分钟再试。',
  500: '系统出了点问题，请稍后再试。',
  502: '服务暂时不可用，请稍后再试。',
  503: '服务暂时忙，请稍后再试。',
  504: '服务响应太慢，请稍后再试。',
}

const NETWORK = '网络不好，没有连上服务。请检查网络后再试。'
const TIMEOUT = '网络太慢，等了很久没有回应。请换个信号好的地方再试。'

function fieldName(field) {
  if (!field) return ''
  const last = String(field).split('.').pop()
  return FIELDS[last] || FIELDS[field] || ''
}

// The Chinese sentence for a problem+json body (or a bare status).
function messageFor(status, problem) {
  const body = problem || {}
  const details = body.details || {}
  if (details.reason && BY_REASON[details.reason]) return BY_REASON[details.reason]
  let text = BY_CODE[body.code] || BY_STATUS[status] || '出了点问题，请稍后再试。'
  const field = fieldName(details.field)
  if (field && (body.code === 'INVALID_INPUT' || status === 422)) {
    text = `“${field}”填写得不对，请检查后再提交。`
  }
  return text
}

module.exports = { messageFor, fieldName, NETWORK, TIMEOUT, BY_CODE }
