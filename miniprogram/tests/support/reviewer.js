// A police reviewer using the console over HTTP: sign in (XSRF cookie), take the case,
// decide (preview, then confirm), or ask for retakes; signed in as the supervisor, conclude
// a 复核.
const { httpCall, STACK } = require('./wx')

class Reviewer {
  constructor() {
    this.cookies = {}
  }

  async request(method, path, form) {
    const headers = { Cookie: Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ') }
    let body = null
    if (method === 'POST') {
      const fields = new URLSearchParams({ ...(form || {}), _xsrf: this.cookies._xsrf || '' })
      Object.entries(form || {}).forEach(([k, v]) => {
        if (Array.isArray(v)) {
          fields.delete(k)
          v.forEach((item) => fields.append(k, item))
        }
      })
      body = Buffer.from(fields.toString())
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      headers['Content-Length'] = body.length
    }
    const res = await httpCall(method, STACK.api + path, { headers, body })
    ;[].concat(res.headers['set-cookie'] || []).forEach((cookie) => {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      this.cookies[pair.slice(0, index)] = pair.slice(index + 1)
    })
    return { status: res.status, text: res.body.toString('utf8') }
  }

  async login(username = STACK.reviewer) {
    await this.request('GET', '/console/login')
    const res = await this.request('POST', '/console/login', { username, password: STACK.password })
    if (res.status !== 302) throw new Error(`reviewer sign-in failed: ${res.status}`)
  }

  async claim(caseId) {
    const page = await this.request('GET', `/console/cases/${caseId}`)
    const version = (page.text.match(/name="version" value="(\d+)"/) || [])[1]
    if (!version) throw new Error(`no claim form for ${caseId} (${page.status})`)
    const res = await this.request('POST', `/console/cases/${caseId}/claim`, { version })
    if (res.status !== 302) throw new Error(`claim failed: ${res.status}`)
  }

  async determine(caseId, decision) {
    await this.claim(caseId)
    const preview = await this.request('POST', `/console/cases/${caseId}/determine`, decision)
    if (preview.status !== 200) throw new Error(`decision refused: ${preview.status}`)
    const issued = await this.request('POST', `/console/cases/${caseId}/determine`, { ...decision, confirm: '1' })
    if (issued.status !== 302) throw new Error(`decision not issued: ${issued.status}`)
  }

  // outcome: 'upheld' or 'redetermine' (supervisors only).
  async conclude(caseId, outcome, reason) {
    const res = await this.request('POST', `/console/cases/${caseId}/reconsideration`, { outcome, reason })
    if (res.status !== 302) throw new Error(`reconsideration not concluded: ${res.status}`)
  }

  async retake(caseId, slots, reason) {
    await this.claim(caseId)
    const res = await this.request('POST', `/console/cases/${caseId}/retake`, { slots, reason })
    if (res.status !== 302) throw new Error(`retake request failed: ${res.status}`)
  }
}

module.exports = { Reviewer }
