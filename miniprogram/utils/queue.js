// Photos taken on a weak network wait here (in storage, so they survive a restart) and go
// up when the network returns. Each keeps its upload_id, so a photo the service already
// has is recognised and not stored twice.

const api = require('./api')

const KEY = 'photoQueue'

function all() {
  return wx.getStorageSync(KEY) || []
}

function save(items) {
  wx.setStorageSync(KEY, items)
}

function add(item) {
  const items = all().filter((x) => x.formData.upload_id !== item.formData.upload_id)
  items.push(item)
  save(items)
}

function forCase(caseId) {
  return all().filter((x) => x.caseId === caseId)
}

let flushing = null

// Upload what waits; the ones that still fail stay queued. Returns the answers sent.
function flush() {
  if (flushing) return flushing
  flushing = (async () => {
    const done = []
    for (const item of all()) {
      try {
        const answer = await api.upload(`/api/v1/cases/${item.caseId}/photos`, item.filePath, item.formData)
        save(all().filter((x) => x.formData.upload_id !== item.formData.upload_id))
        done.push({ item, answer })
      } catch (err) {
        if (err.retryable) break // still offline: keep the rest for later
        // Refused for good (e.g. not a photo): drop it, the page shows why.
        save(all().filter((x) => x.formData.upload_id !== item.formData.upload_id))
        done.push({ item, error: err })
      }
    }
    return done
  })()
  flushing.then(() => { flushing = null }, () => { flushing = null })
  return flushing
}

const listeners = new Set()
let watching = false

// When the network returns, send what waits, then tell the pages that asked.
function watchNetwork(onFlushed) {
  if (onFlushed) listeners.add(onFlushed)
  if (watching || typeof wx.onNetworkStatusChange !== 'function') return
  watching = true
  wx.onNetworkStatusChange(async (res) => {
    if (!res.isConnected || !all().length) return
    const done = await flush()
    listeners.forEach((listener) => listener(done))
  })
}

module.exports = { add, all, forCase, flush, watchNetwork }
