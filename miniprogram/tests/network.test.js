// The network module against the real service and against answers a weak network gives.
const http = require('http')
const { createPhone, failNextWeChat, STACK } = require('./support/wx')
const { use } = require('./support/pages')

const api = require('../utils/api')
const session = require('../utils/session')

function server(handler) {
  return new Promise((resolve) => {
    const s = http.createServer(handler)
    s.listen(0, '127.0.0.1', () => resolve(s))
  })
}

describe('error words', () => {
  test('every error code the service can answer has Chinese words', () => {
    const fs = require('fs')
    const path = require('path')
    const errors = require('../utils/errors')
    const root = path.resolve(__dirname, '..', '..')
    const sources = ['settlement/errors.py', 'adapters/http/errors.py', 'settlement/domain/determination.py']
      .map((file) => fs.readFileSync(path.join(root, file), 'utf8')).join('\n')
    const codes = new Set()
    for (const m of sources.matchAll(/code = "([A-Z_]+)"/g)) codes.add(m[1])
    for (const m of sources.matchAll(/\d{3}: "([A-Z_]+)"/g)) codes.add(m[1])
    expect(codes.size).toBeGreaterThan(30)
    const missing = [...codes].filter((code) => !errors.BY_CODE[code])
    expect(missing).toEqual([])
    Object.values(errors.BY_CODE).forEach((words) => expect(words).toMatch(/^[^A-Za-z]*$/))
  })
})

describe('network module', () => {
  test('signs in through WeChat and carries the bearer token', async () => {
    const phone = createPhone('net-alice')
    use(phone)
    const answer = await api.get('/api/v1/cases')
    expect(answer.cases).toEqual([])
    expect(phone.wx.getStorageSync('session').token).toBeTruthy()
  })

  test('a token the service no longer knows: signs in again once and carries on', async () => {
    const phone = createPhone('net-hal')
    use(phone)
    await api.get('/api/v1/cases')
    const first = phone.wx.getStorageSync('session').token
    phone.wx.setStorageSync('session', { ...phone.wx.getStorageSync('session'), token: 'forged-or-forgotten' })
    await expect(api.get('/api/v1/cases')).resolves.toEqual({ cases: [] })
    const second = phone.wx.getStorageSync('session').token
    expect(second).not.toBe('forged-or-forgotten')
    expect(second).not.toBe(first)
  })

  test('a refused request becomes a Chinese sentence naming the field', async () => {
    use(createPhone('net-bob'))
    await expect(api.post('/api/v1/cases', { address: 'x' })).rejects.toMatchObject({
      status: 422, code: 'INVALID_INPUT',
    })
    const err = await api.post('/api/v1/cases/join', { code: '12' }).catch((e) => e)
    expect(err.message).toMatch(/[\u4e00-\u9fff]/)
    expect(err.message).not.toMatch(/[A-Za-z]{4,}/)
    const missing = await api.get('/api/v1/cases/C000NOSUCHCASE').catch((e) => e)
    expect(missing.status).toBe(404)
    expect(missing.message).toBe('没有找到这个案件，可能不是您参与的案件。')
  })

  test('WeChat busy at sign-in is a 503 the driver reads as "busy, try later"', async () => {
    use(createPhone('net-carol'))
    // Busy twice: the service's own retry fails too, then each of the client's attempts.
    await failNextWeChat('jscode2session', -1, 6)
    const err = await session.signIn().catch((e) => e)
    expect(err.status).toBe(503)
    expect(err.message).toBe('服务暂时忙，请稍后再试。')
  })

  test('retries a 503 and gets the answer; a timeout is said in plain words', async () => {
    let calls = 0
    const flaky = await server((req, res) => {
      calls += 1
      if (calls < 3) {
        res.writeHead(503, { 'Content-Type': 'application/problem+json' })
        res.end(JSON.stringify({ status: 503, code: 'UPSTREAM_UNAVAILABLE', message: 'busy' }))
        return
      }
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end('{"ok": true}')
    })
    const phone = createPhone('net-dave', { base: `http://127.0.0.1:${flaky.address().port}` })
    use(phone)
    await expect(api.get('/x', { auth: false })).resolves.toEqual({ ok: true })
    expect(calls).toBe(3)
    flaky.close()

    const silent = await server(() => { /* never answers */ })
    use(createPhone('net-erin', { base: `http://127.0.0.1:${silent.address().port}` }))
    const err = await api.rawRequest('GET', '/x', { auth: false, timeout: 300 }).catch((e) => e)
    expect(err.code).toBe('TIMEOUT')
    expect(err.message).toMatch(/网络太慢/)
    silent.closeAllConnections()
    silent.close()
  })

  test('offline: a plain message, and the same Idempotency-Key on every retry', async () => {
    const seen = []
    const recorder = await server((req, res) => {
      seen.push(req.headers['idempotency-key'])
      res.writeHead(seen.length < 2 ? 502 : 201, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
    use(createPhone('net-fay', { base: `http://127.0.0.1:${recorder.address().port}` }))
    await api.post('/y', { a: 1 }, { auth: false })
    expect(seen).toHaveLength(2)
    expect(seen[0]).toBe(seen[1])
    recorder.close()

    const phone = createPhone('net-gus')
    phone.offline = true
    use(phone)
    const err = await api.get('/api/v1/labels', { auth: false }).catch((e) => e)
    expect(err.message).toBe('网络不好，没有连上服务。请检查网络后再试。')
    expect(STACK.api).toMatch(/^http:\/\/127\.0\.0\.1:/)
  })
})
