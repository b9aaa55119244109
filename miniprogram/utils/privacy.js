// Privacy: the WeChat privacy guide (wx.onNeedPrivacyAuthorization) and, separately, the
// driver's explicit consent for each kind of sensitive personal information (PIPL art. 29):
// ID numbers, where they are, and photos showing faces and plates.

const KEY = 'consents'

const KINDS = {
  identity: {
    title: '身份信息',
    text: '为了办理事故快处，需要收集您的姓名、身份证号、驾驶证号和车牌号。这些信息只用于本次事故处理和保险理赔，对方只能看到部分遮挡后的内容。',
  },
  location: {
    title: '位置信息',
    text: '为了确定事故发生的地点，需要获取您当前所在的位置。位置只在开案和拍照时记录一次。',
  },
  photos: {
    title: '现场照片',
    text: '为了固定证据，需要拍摄现场照片，照片中可能有人脸和车牌。照片只给交警和双方保险公司查看。',
  },
}

function consents() {
  return wx.getStorageSync(KEY) || {}
}

function hasConsent(kind) {
  return Boolean(consents()[kind])
}

function give(kind) {
  const all = consents()
  all[kind] = new Date().toISOString()
  wx.setStorageSync(KEY, all)
}

function withdraw(kind) {
  const all = consents()
  delete all[kind]
  wx.setStorageSync(KEY, all)
}

// The platform asks before a privacy-covered API runs: show our guide page; the guide's
// agree button (open-type="agreePrivacyAuthorization") lets the call go on.
let waiting = null
function install() {
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return
  wx.onNeedPrivacyAuthorization((resolve) => {
    waiting = resolve
    wx.navigateTo({ url: '/pages/privacy/privacy?from=platform' })
  })
}

function resolvePlatform(agreed) {
  if (!waiting) return
  const resolve = waiting
  waiting = null
  resolve(agreed ? { event: 'agree', buttonId: 'agree-privacy' } : { event: 'disagree' })
}

module.exports = { KINDS, hasConsent, give, withdraw, install, resolvePlatform, consents }
