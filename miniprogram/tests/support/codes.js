// The service's vocabulary, and the raw codes a page text would betray.
const { httpCall, STACK } = require('./wx')
const errors = require('../../utils/errors')

async function vocabulary() {
  const res = await httpCall('GET', `${STACK.api}/api/v1/labels`)
  const { labels } = JSON.parse(res.body.toString())
  const codes = new Set(Object.keys(errors.BY_CODE))
  Object.values(labels).forEach((kind) => Object.keys(kind).forEach((code) => {
    if (/^[A-Za-z][A-Za-z0-9_.]*$/.test(code) && code.length > 1) codes.add(code)
  }))
  Object.keys(labels).forEach((kind) => codes.add(kind))
  return codes
}

function rawCodes(pageText, codes) {
  // A claim number is the insurer's own identifier (it may start with the insurer's code).
  const tokens = pageText.replace(/报案号：\S+/g, '').match(/[A-Za-z][A-Za-z0-9_]*(?:\.[a-z_]+)*/g) || []
  return tokens.filter((t) => codes.has(t) || /[a-z]_[a-z]/.test(t) || /^[A-Z]+_[A-Z_]+$/.test(t))
}

module.exports = { vocabulary, rawCodes }
