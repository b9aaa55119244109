// The join code inside what a scan gives: the mini-program code's scene ("c=12345678"),
// the page path carrying it, or the service's QR payload (settlement://join?...&code=...).
function codeFrom(text) {
  if (!text) return ''
  let value = String(text)
  try {
    value = decodeURIComponent(value)
  } catch (e) {
    // not encoded
  }
  const found = value.match(/(?:^|[?&=\s])c(?:ode)?=(\d{6,12})/) || value.match(/^(\d{6,12})$/)
  return found ? found[1] : ''
}

module.exports = { codeFrom }
