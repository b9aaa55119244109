// The one network module: wx.request / wx.uploadFile / wx.downloadFile as promises, the
// bearer token, problem+json turned into a Chinese message, and retries. Pages hold no
// HTTP details. Every response reaches `success` in WeChat, so the status decides.

const { serviceBase } = require('./config')
const errors = require('./errors')

const RETRY_STATUSES = [502, 503, 504]
const RETRY_CODES = ['CONCURRENT_UPDATE', 'REQUEST_IN_PROGRESS']
const MAX_ATTEMPTS = 3
const TIMEOUT_MS = 15000

class ApiError extends Error {
  constructor(message, { status = 0, code = '', field = '', reason = '', retryable = false } = {}) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
    this.reason = reason
    this.retryable = retryable
  }
}

let tokenProvider = null
let relogin = null

// session.js registers how to get a token and how to sign in again.
function useSession(provider, signInAgain) {
  tokenProvider = provider
  relogin = signInAgain
}

function uuid() {
  const hex = []
  for (let i = 0; i < 32; i += 1) hex.push(Math.floor(Math.random() * 16).toString(16))
  return hex.join('')
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function parse(data) {
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch (e) {
    return null
  }
}

function failure(err) {
  const text = (err && err.errMsg) || ''
  const timeout = /timeout/i.test(text)
  return new ApiError(timeout ? errors.TIMEOUT : errors.NETWORK, {
    code: timeout ? 'TIMEOUT' : 'NETWORK', retryable: true,
  })
}

function problemError(status, body) {
  const problem = body && typeof body === 'object' ? body : {}
  const details = problem.details || {}
  return new ApiError(errors.messageFor(status, problem), {
    status,
    code: problem.code || `HTTP_${status}`,
    field: details.field || '',
    reason: details.reason || '',
    retryable: RETRY_STATUSES.includes(status) || RETRY_CODES.includes(problem.code),
  })
}

async function headers(extra, auth) {
  const result = { ...(extra || {}) }
  if (auth && tokenProvider) result.Authorization = `Bearer ${await tokenProvider()}`
  return result
}

// Retry what may be retried (network failures, 502-504, a concurrent update) with backoff;
// sign in again once when the token is refused.
async function withRetries(run, { attempts = MAX_ATTEMPTS, auth = true } = {}) {
  let signedInAgain = false
  let last = null
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await run()
    } catch (err) {
      last = err
      if (auth && !signedInAgain && err.status === 401 && relogin) {
        signedInAgain = true
        await relogin()
        attempt -= 1
        continue
      }
      if (!err.retryable || attempt === attempts) throw err
      await sleep(300 * 2 ** (attempt - 1) + Math.random() * 200)
    }
  }
  throw last
}

function rawRequest(method, path, { data, header, auth = true, responseType, timeout } = {}) {
  return new Promise((resolve, reject) => {
    headers(header, auth).then((h) => {
      wx.request({
        url: serviceBase() + path,
        method,
        data,
        header: { 'Content-Type': 'application/json', ...h },
        timeout: timeout || TIMEOUT_MS,
        responseType: responseType || 'text',
        success(res) {
          if (res.statusCode >= 200 && res.statusCode < 300) {
            resolve(responseType === 'arraybuffer' ? res.data : parse(res.data))
          } else {
            const body = responseType === 'arraybuffer' ? null : parse(res.data)
            reject(problemError(res.statusCode, body))
          }
        },
        fail(err) {
          reject(failure(err))
        },
      })
    }, reject)
  })
}

function get(path, options = {}) {
  return withRetries(() => rawRequest('GET', path, options), options)
}

// POSTs carry one Idempotency-Key for all their attempts: a retry after a lost answer
// gets the first answer back, never a second effect.
function post(path, data, options = {}) {
  const key = uuid()
  const header = { 'Idempotency-Key': key, ...(options.header || {}) }
  return withRetries(() => rawRequest('POST', path, { ...options, data: data || {}, header }), options)
}

// One photo: the image in `file`, the rest in formData; retries reuse formData.upload_id.
function upload(path, filePath, formData, { onProgress } = {}) {
  return withRetries(() => new Promise((resolve, reject) => {
    headers({}, true).then((header) => {
      const task = wx.uploadFile({
        url: serviceBase() + path,
        filePath,
        name: 'file',
        formData,
        header,
        timeout: 60000,
        success(res) {
          const body = parse(res.data)
          if (res.statusCode >= 200 && res.statusCode < 300) resolve(body)
          else reject(problemError(res.statusCode, body))
        },
        fail(err) {
          reject(failure(err))
        },
      })
      if (task && onProgress) task.onProgressUpdate((p) => onProgress(p.progress))
    }, reject)
  }))
}

// A document to a local temporary file.
function download(path) {
  return withRetries(() => new Promise((resolve, reject) => {
    headers({}, true).then((header) => {
      wx.downloadFile({
        url: serviceBase() + path,
        header,
        success(res) {
          if (res.statusCode === 200) resolve(res.tempFilePath)
          else reject(problemError(res.statusCode, null))
        },
        fail(err) {
          reject(failure(err))
        },
      })
    }, reject)
  }))
}

module.exports = { get, post, upload, download, useSession, ApiError, uuid, rawRequest }
