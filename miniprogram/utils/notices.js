// Subscription messages: asked for on a tap, at the moment a notice will follow (one
// acceptance = one message). Template ids come from the service, loaded when a page opens,
// because wx.requestSubscribeMessage must be called synchronously inside the tap.

const api = require('./api')

let templates = null

async function preload() {
  if (templates) return templates
  try {
    templates = (await api.get('/api/v1/notices/templates', { auth: false })).templates || {}
  } catch (err) {
    templates = null // try again on the next page
  }
  return templates
}

// Call from a tap handler. Never blocks the action it accompanies.
function ask(names) {
  const tmplIds = names.map((name) => (templates || {})[name]).filter(Boolean).slice(0, 3)
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve({})
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({ tmplIds, success: resolve, fail: () => resolve({}) })
  })
}

module.exports = { preload, ask }
