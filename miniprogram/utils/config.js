// Where the service is. DevTools against a local service: set it once from the console with
// wx.setStorageSync('serviceBase', 'http://127.0.0.1:8000') (and tick 不校验合法域名).
const DEFAULT_BASE = 'http://127.0.0.1:8000'

function serviceBase() {
  const stored = wx.getStorageSync('serviceBase')
  if (stored) return String(stored).replace(/\/+$/, '')
  return DEFAULT_BASE
}

module.exports = { serviceBase, DEFAULT_BASE }
