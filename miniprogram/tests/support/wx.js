// A phone for the tests: a `wx` whose network calls go over real HTTP to the service on
// 127.0.0.1, whose wx.login asks the WeChat simulator for a code for a named user, whose
// location is the scene and whose camera returns JPEGs with EXIF. Two phones = two users.

const fs = require('fs')
const http = require('http')
const os = require('os')
const path = require('path')
const { URL } = require('url')

const STACK = JSON.parse(fs.readFileSync(process.env.MINI_STACK_FILE, 'utf8'))

// Every camera shot of the whole run is a different photo: the service refuses a photo
// reused from another case. Test files have their own module registries, so the count
// lives in a file beside the stack's address.
function nextPhoto() {
  const counter = `${process.env.MINI_STACK_FILE}.photos`
  const used = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0
  if (used >= STACK.photos.length) throw new Error('the stack has no unused camera photos left')
  fs.writeFileSync(counter, String(used + 1))
  return { file: STACK.photos[used], index: used + 1 }
}

function httpCall(method, url, { headers = {}, body = null, timeout = 15000, onWrite } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const req = http.request({
      hostname: target.hostname, port: target.port, path: target.pathname + target.search,
      method, headers,
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.setTimeout(timeout, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    if (body && onWrite) {
      // Written in slices so the upload reports progress like WeChat's UploadTask.
      const size = body.length
      const step = Math.max(64 * 1024, Math.ceil(size / 10))
      for (let offset = 0; offset < size; offset += step) {
        req.write(body.subarray(offset, offset + step))
        onWrite(Math.min(size, offset + step), size)
      }
      req.end()
    } else {
      req.end(body || undefined)
    }
  })
}

async function simulator(pathname, body) {
  const res = await httpCall('POST', STACK.wechat + pathname, {
    headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(body)),
  })
  return JSON.parse(res.body.toString())
}

function multipart(fields, file) {
  const boundary = `----jestphone${Math.random().toString(16).slice(2)}`
  const parts = []
  Object.keys(fields || {}).forEach((name) => {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${fields[name]}\r\n`))
  })
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${path.basename(file.path)}"\r\nContent-Type: image/jpeg\r\n\r\n`))
  parts.push(fs.readFileSync(file.path))
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` }
}

function createPhone(user, options = {}) {
  const storage = new Map()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `phone-${user}-`))
  const networkListeners = []
  let privacyListener = null
  const phone = {
    user,
    offline: false,
    navigations: [],
    modals: [],
    documents: [],
    calls: [],
    subscriptions: [],
    scans: [],
    modalAnswer: true,
    subscribes: options.subscribes !== false,
    requests: 0,
    base: options.base || STACK.api,
    setOnline(online) {
      phone.offline = !online
      networkListeners.forEach((fn) => fn({ isConnected: online, networkType: online ? 'wifi' : 'none' }))
    },
    askPrivacy() {
      return new Promise((resolve) => privacyListener(resolve))
    },
  }
  const later = (fn) => setTimeout(fn, 0)
  const wx = {
    env: { USER_DATA_PATH: dataDir },
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ''),
    setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => storage.delete(key),
    login({ success, fail }) {
      if (phone.offline) return later(() => fail && fail({ errMsg: 'login:fail' }))
      simulator('/sim/login-code', { user }).then((r) => success({ code: r.code }), () => fail && fail({ errMsg: 'login:fail' }))
      return undefined
    },
    request({ url, method = 'GET', data, header = {}, timeout = 60000, responseType = 'text', success, fail }) {
      phone.requests += 1
      if (phone.offline) return later(() => fail({ errMsg: 'request:fail' }))
      let target = url
      let body = null
      if (method === 'GET' && data && typeof data === 'object') {
        const query = new URLSearchParams(data).toString()
        if (query) target += (target.includes('?') ? '&' : '?') + query
      } else if (data !== undefined && data !== null) {
        body = Buffer.from(typeof data === 'string' ? data : JSON.stringify(data))
      }
      httpCall(method, target, { headers: header, body, timeout }).then((res) => {
        let payload
        if (responseType === 'arraybuffer') {
          payload = res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.length)
        } else {
          payload = res.body.toString('utf8')
          try { payload = JSON.parse(payload) } catch (e) { /* WeChat gives the string */ }
        }
        success({ statusCode: res.status, header: res.headers, data: payload })
      }, (err) => fail({ errMsg: /timeout/.test(err.message) ? 'request:fail timeout' : `request:fail ${err.message}` }))
      return { abort() {} }
    },
    uploadFile({ url, filePath, name, formData, header = {}, timeout = 60000, success, fail }) {
      const progress = []
      const task = { onProgressUpdate: (fn) => progress.push(fn), abort() {} }
      if (phone.offline) {
        later(() => fail({ errMsg: 'uploadFile:fail' }))
        return task
      }
      const { body, type } = multipart(formData, { name, path: filePath })
      httpCall('POST', url, {
        headers: { ...header, 'Content-Type': type, 'Content-Length': body.length },
        body, timeout,
        onWrite: (sent, total) => progress.forEach((fn) => fn({
          progress: Math.round((sent / total) * 100), totalBytesSent: sent, totalBytesExpectedToSend: total,
        })),
      }).then((res) => success({ statusCode: res.status, data: res.body.toString('utf8') }),
        (err) => fail({ errMsg: /timeout/.test(err.message) ? 'uploadFile:fail timeout' : 'uploadFile:fail' }))
      return task
    },
    downloadFile({ url, header = {}, success, fail }) {
      if (phone.offline) return later(() => fail({ errMsg: 'downloadFile:fail' }))
      httpCall('GET', url, { headers: header }).then((res) => {
        const file = path.join(dataDir, `download-${Date.now()}-${Math.random().toString(16).slice(2)}`)
        fs.writeFileSync(file, res.body)
        success({ statusCode: res.status, tempFilePath: file })
      }, () => fail({ errMsg: 'downloadFile:fail' }))
      return undefined
    },
    openDocument({ filePath, fileType, success, fail }) {
      const bytes = fs.readFileSync(filePath)
      if (fileType === 'pdf' && bytes.subarray(0, 4).toString() === '%PDF') {
        phone.documents.push({ filePath, bytes })
        later(() => success({}))
      } else later(() => fail({ errMsg: 'openDocument:fail' }))
    },
    getFileSystemManager: () => ({
      writeFileSync(file, data) {
        fs.writeFileSync(file, Buffer.from(data))
      },
    }),
    getLocation({ success }) {
      later(() => success({ latitude: STACK.scene.latitude, longitude: STACK.scene.longitude, accuracy: 10 }))
    },
    chooseMedia(opts) {
      phone.lastChooseMedia = opts
      if (phone.nextCameraFile) {
        const tempFilePath = phone.nextCameraFile
        phone.nextCameraFile = null
        later(() => opts.success({ type: 'image', tempFiles: [{ tempFilePath, size: fs.statSync(tempFilePath).size, fileType: 'image' }] }))
        return
      }
      const { file, index } = nextPhoto()
      const copy = path.join(dataDir, `camera-${index}.jpg`)
      fs.copyFileSync(file, copy)
      later(() => opts.success({ type: 'image', tempFiles: [{ tempFilePath: copy, size: fs.statSync(copy).size, fileType: 'image' }] }))
    },
    scanCode({ success, fail }) {
      const next = phone.scans.shift()
      later(() => (next ? success(next) : fail({ errMsg: 'scanCode:fail cancel' })))
    },
    showModal(opts) {
      phone.modals.push(opts)
      later(() => opts.success({ confirm: phone.modalAnswer, cancel: !phone.modalAnswer }))
    },
    requestSubscribeMessage({ tmplIds, success }) {
      phone.subscriptions.push(tmplIds)
      const answer = {}
      tmplIds.forEach((id) => { answer[id] = phone.subscribes ? 'accept' : 'reject' })
      const done = () => success({ errMsg: 'requestSubscribeMessage:ok', ...answer })
      if (phone.subscribes) simulator('/sim/subscribe', { user, template_ids: tmplIds }).then(done, done)
      else later(done)
    },
    makePhoneCall({ phoneNumber }) { phone.calls.push(phoneNumber) },
    navigateTo({ url }) { phone.navigations.push(url) },
    navigateBack() { phone.navigations.push('back') },
    onNeedPrivacyAuthorization(fn) { privacyListener = fn },
    onNetworkStatusChange(fn) { networkListeners.push(fn) },
  }
  wx.setStorageSync('serviceBase', phone.base)
  phone.wx = wx
  return phone
}

// A short-lived code for the getPhoneNumber button, as WeChat gives the client.
async function phoneCode(phone) {
  return (await simulator('/sim/phone-code', { user: 'any', phone })).code
}

// The next `times` calls of one WeChat API (jscode2session, getwxacodeunlimit,
// getuserphonenumber, subscribe_send) answer `errcode`.
async function failNextWeChat(api, errcode, times = 1) {
  return simulator('/sim/fail-next', { api, errcode, times })
}

module.exports = { createPhone, STACK, httpCall, phoneCode, failNextWeChat, simulator }
