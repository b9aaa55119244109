// Words for every code, from the service's one label table (GET /api/v1/labels), kept in
// storage. A code without a label is never shown raw: the driver sees a neutral word.

const api = require('./api')

const KEY = 'labels'
const UNKNOWN = '（其他）'
let table = null

async function load() {
  if (table) return table
  const cached = wx.getStorageSync(KEY)
  try {
    const answer = await api.get('/api/v1/labels', { auth: false })
    table = answer.labels
    wx.setStorageSync(KEY, table)
  } catch (err) {
    if (!cached) throw err
    table = cached // offline: last known words
  }
  return table
}

function t(kind, code) {
  if (code === undefined || code === null || code === '') return ''
  const key = typeof code === 'boolean' ? String(code) : String(code)
  const entry = table && table[kind] && table[kind][key]
  return entry ? entry.zh : UNKNOWN
}

// Options for a picker: [{code, label}] of one vocabulary, in the order given.
function options(kind, codes) {
  return codes.map((code) => ({ code, label: t(kind, code) }))
}

// Every code of a vocabulary, as the service knows it.
function codes(kind) {
  return Object.keys((table && table[kind]) || {})
}

module.exports = { load, t, options, codes, UNKNOWN }
