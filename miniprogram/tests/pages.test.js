// Each page's behaviour against the real service, including bad answers shown in plain words.
const { createPhone, phoneCode, failNextWeChat } = require('./support/wx')
const session = require('../utils/session')
const { open, tap, type, pick, fire, text, consent, until, use, idle } = require('./support/pages')

async function answerAll(page, overrides = {}) {
  for (const q of page.data.questions) {
    const yes = overrides[q.key] !== undefined ? overrides[q.key] : ['movable', 'driver_licence_valid', 'jqx_insured'].includes(q.key)
    await tap(page, `#${q.key}-${yes ? 'yes' : 'no'}`)
  }
}

async function tickSafety(page) {
  for (const item of page.data.safety) await tap(page, `#safety-${item.key}`)
}

describe('scene page', () => {
  test('safety first, then the questions; an injury means call 122 and stay', async () => {
    const phone = createPhone('scene-ann')
    const page = await open(phone, 'scene')
    expect(page.querySelector('#check')).toBeFalsy()
    await tickSafety(page)
    await answerAll(page, { injuries: true })
    await tap(page, '#check')
    expect(page.data.result.allowed).toBe(false)
    expect(text(page)).toContain('122')
    expect(text(page)).toContain('有人员受伤')
    await tap(page, '#call')
    expect(phone.calls).toEqual(['122'])
  })

  test('a minor accident may be handled online and leads to opening the case', async () => {
    const phone = createPhone('scene-ben')
    const page = await open(phone, 'scene')
    await tickSafety(page)
    await answerAll(page)
    await tap(page, '#check')
    expect(page.data.result.allowed).toBe(true)
    await tap(page, '#next')
    expect(phone.navigations.pop()).toBe('/pages/create/create')
  })
})

describe('create and join pages', () => {
  test('location consent, the place where the driver stands, then a join code and its picture', async () => {
    const phone = createPhone('create-cai')
    const page = await open(phone, 'create')
    expect(text(page)).toContain('需要您的同意：位置信息')
    await consent(page)
    await tap(page, '#create')
    expect(page.data.error).toBe('请先点“记录我现在的位置”。')
    await tap(page, '#locate')
    await type(page, '#address', '深圳市南山区深南大道与科技园路口')
    await type(page, '#description', '等红灯时被后车追尾')
    await pick(page, '#weather', 2)
    await tap(page, '#create')
    expect(page.data.error).toBe('')
    expect(page.data.caseId).toMatch(/^C/)
    expect(page.data.joinCode).toMatch(/^\d{8}$/)
    expect(page.data.codeImage).toContain('join-')
    expect(text(page)).toContain(page.data.joinCode)

    const other = createPhone('join-dan')
    const join = await open(other, 'join', { scene: encodeURIComponent(`c=${page.data.joinCode}`) })
    expect(join.data.joined).toBe(true)
    expect(other.navigations.pop()).toBe(`/pages/details/details?id=${page.data.caseId}`)
  })

  test('a wrong typed code and a failed scan are explained; a scanned code joins', async () => {
    const opener = createPhone('join-eve')
    const create = await open(opener, 'create')
    await consent(create)
    await tap(create, '#locate')
    await type(create, '#address', '南山区科技园')
    await type(create, '#description', '刮擦')
    await tap(create, '#create')

    const phone = createPhone('join-fred')
    const page = await open(phone, 'join')
    await type(page, '#code', '12')
    await tap(page, '#join')
    expect(page.data.error).toBe('加入码是 8 位数字，请核对后再输。')
    await type(page, '#code', create.data.joinCode === '00000000' ? '11111111' : '00000000')
    await tap(page, '#join')
    expect(page.data.error).toBe('加入码不对或已过期。请让对方重新生成一个加入码。')
    await tap(page, '#scan')
    expect(page.data.error).toBe('没有扫到码。可以直接输入 8 位加入码。')
    phone.scans.push({ path: `pages/join/join?scene=${encodeURIComponent(`c=${create.data.joinCode}`)}`, scanType: 'WX_CODE' })
    await tap(page, '#scan')
    await until(() => page.data.joined, { what: 'the scan to join' })
    expect(page.data.error).toBe('')
  })

  test('WeChat unable to draw the code: the typed code is offered instead', async () => {
    const phone = createPhone('create-gil')
    const page = await open(phone, 'create')
    await consent(page)
    await tap(page, '#locate')
    await type(page, '#address', '南山区')
    await type(page, '#description', '刮擦')
    await session.signIn() // signed in first: the failures below are for the picture only
    await failNextWeChat('getwxacodeunlimit', -1, 3)
    await tap(page, '#create')
    expect(page.data.joinCode).toMatch(/^\d{8}$/)
    expect(page.data.codeImage).toBe('')
    expect(page.data.notice).toBe('扫码图片暂时生成不了，请让对方输入上面的加入码。')
  })
})

describe('photos page', () => {
  const fs = require('fs')
  const os = require('os')
  const path = require('path')
  const api = require('../utils/api')
  const { Reviewer } = require('./support/reviewer')
  const flows = require('./support/flows')

  async function twoParties(prefix) {
    const a = createPhone(`${prefix}-a`)
    const b = createPhone(`${prefix}-b`)
    const create = await flows.create(a, '深圳市南山区后海大道')
    await flows.join(b, create.data.joinCode)
    return { a, b, caseId: create.data.caseId }
  }

  test('camera only; a weak network keeps the photo and sends it when the network returns', async () => {
    const { a, caseId } = await twoParties('photo-weak')
    const page = await open(a, 'photos', { id: caseId })
    await consent(page)
    expect(page.data.slots.map((s) => s.code)).toEqual(['side_front', 'side_rear', 'collision_point', 'own_plate', 'other_plate'])
    a.offline = true
    await tap(page, '#take-side_front')
    expect(a.lastChooseMedia).toMatchObject({ sourceType: ['camera'], sizeType: ['original'], mediaType: ['image'] })
    expect(page.data.notice).toBe('网络不好，照片已保存在手机上，网络恢复后会自动上传。')
    expect(page.data.queued).toBe(1)
    expect(text(page)).toContain('已拍好，等网络恢复后上传')
    const [waiting] = a.wx.getStorageSync('photoQueue')
    a.offline = false
    a.setOnline(true)
    await until(async () => {
      const listed = await api.get(`/api/v1/cases/${caseId}/photos`)
      return listed.photos.length === 1 && a.wx.getStorageSync('photoQueue').length === 0
    }, { what: 'the queued photo to arrive and leave the queue' })
    // The page refreshes itself when the queue is sent (and on demand).
    await until(async () => {
      await page.instance.refresh()
      await idle(page)
      return page.data.queued === 0 && page.data.slots.find((s) => s.code === 'side_front').done
    }, { what: 'the page to show the photo as uploaded' })
    // A retry of the same photo (same upload_id) is recognised: still one photo.
    const again = await api.upload(`/api/v1/cases/${caseId}/photos`, waiting.filePath, waiting.formData)
    const listed = await api.get(`/api/v1/cases/${caseId}/photos`)
    expect(listed.photos).toHaveLength(1)
    expect(again.photo.id).toBe(listed.photos[0].id)
  })

  test('a file that is not a photo is refused in plain words; a retake request shows on its slot', async () => {
    const { a, b, caseId } = await twoParties('photo-bad')
    const page = await open(a, 'photos', { id: caseId })
    await consent(page)
    const notPhoto = path.join(os.tmpdir(), `not-a-photo-${Date.now()}.jpg`)
    fs.writeFileSync(notPhoto, 'this is text, not an image')
    a.nextCameraFile = notPhoto
    await tap(page, '#take-side_front')
    expect(page.data.error).toMatch(/^照片|内容|提交/)
    expect(page.data.error).not.toMatch(/[A-Za-z]{3,}/)

    // Fill the case and send it to the police, who ask for the collision point again.
    await flows.details(a, caseId, { name: '赵一', id_number: '440305199001011234', phone: '13800000001', licence_number: '440305199001011234', plate: '粤B11111', policy_number: 'P1', insurer: 'PICC' })
    await flows.details(b, caseId, { name: '钱二', id_number: '440305199001015678', phone: '13800000002', licence_number: '440305199001015678', plate: '粤B22222', policy_number: 'P2', insurer: 'PICC' })
    const answers = { 'own.manoeuvre': 'straight', 'other.manoeuvre': 'stopped_in_queue', 'own.signal_faced': 'green', 'own.lane': 'lane_1', 'own.damage_location': 'front', 'location.intersection': 'none', 'location.time': 'day', 'flags.dispute_on_facts': 'true' }
    // B's load fell onto A: one answer on each phone sets both vehicles' load_shed.
    await flows.statement(a, caseId, { ...answers, load_shed: 'other', 'own.approach_from': 'behind' })
    await flows.statement(b, caseId, { ...answers, 'own.manoeuvre': 'stopped_in_queue', 'other.manoeuvre': 'straight', 'own.damage_location': 'rear', load_shed: 'own', 'own.approach_from': 'same_direction' })
    use(a)
    const stated = (await api.get(`/api/v1/cases/${caseId}`)).parties
    expect(stated.A.statement.own_vehicle).toMatchObject({ load_shed: false, approach_from: 'behind' })
    expect(stated.A.statement.other_vehicle).toMatchObject({ load_shed: true })
    expect(stated.B.statement.own_vehicle).toMatchObject({ load_shed: true, approach_from: 'same_direction' })
    const decide = await open(a, 'decide', { id: caseId })
    expect(decide.data.sentToPolice).toBe(true) // disputed facts: the police decide
    const reviewer = new Reviewer()
    await reviewer.login()
    await reviewer.retake(caseId, ['collision_point'], '碰撞部位看不清，请靠近重拍')
    const again = await open(a, 'photos', { id: caseId })
    const slot = again.data.slots.find((s) => s.code === 'collision_point')
    expect(slot.retake).toBe('碰撞部位看不清，请靠近重拍')
    expect(text(again)).toContain('交警要求重拍：碰撞部位看不清，请靠近重拍')
    await tap(again, '#take-collision_point')
    expect(again.data.error).toBe('')
    await tap(again, '#return-police')
    expect(again.data.notice).toBe('已交回交警，交警处理后会通知您。')
    expect((await api.get(`/api/v1/cases/${caseId}`)).status).toBe('police_review')
    expect(again.data.canReturn).toBe(false)
  })
})

describe('details, decide and privacy pages', () => {
  const flows = require('./support/flows')
  const privacy = require('../utils/privacy')

  test('a used phone-number code and a refused permission are explained', async () => {
    const a = createPhone('details-ida')
    const b = createPhone('details-jo')
    const create = await flows.create(a, '南山区')
    await flows.join(b, create.data.joinCode)
    const page = await open(a, 'details', { id: create.data.caseId })
    expect(text(page)).toContain('需要您的同意：身份信息')
    await consent(page)
    await fire(page, '#get-phone', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' })
    expect(page.data.error).toBe('没有拿到手机号。也可以直接在上面输入。')
    const code = await phoneCode('13700000000')
    await fire(page, '#get-phone', 'getphonenumber', { code })
    expect(page.data.form.phone).toBe('13700000000')
    expect(text(page)).toContain('微信已验证')
    await fire(page, '#get-phone', 'getphonenumber', { code })
    expect(page.data.error).toBe('“验证码”填写得不对，请检查后再提交。')
    await tap(page, '#save')
    expect(page.data.error).toBe('请填写“姓名”。')
    for (const [field, value] of Object.entries({ name: '孙三', id_number: '12345', licence_number: '440305199001011234', plate: '粤B33333', policy_number: 'P3' })) {
      await type(page, `#${field}`, value)
    }
    await tap(page, '#save')
    expect(page.data.error).toBe('“身份证号”填写得不对，请检查后再提交。')
  })

  test('cancelling the signing confirmation signs nothing', async () => {
    const a = createPhone('decide-kay')
    const b = createPhone('decide-lee')
    const create = await flows.create(a, '南山区')
    const caseId = create.data.caseId
    await flows.join(b, create.data.joinCode)
    const waiting = await open(a, 'decide', { id: caseId })
    expect(text(waiting)).toContain('甲方还没有填写信息')
    await flows.details(a, caseId, { name: '周四', id_number: '440305199001011111', phone: '13800000011', licence_number: '440305199001011111', plate: '粤B44444', policy_number: 'P4', insurer: 'CPIC' })
    await flows.details(b, caseId, { name: '吴五', id_number: '440305199001012222', phone: '13800000012', licence_number: '440305199001012222', plate: '粤B55555', policy_number: 'P5', insurer: 'CPIC' })
    const answers = { 'own.manoeuvre': 'straight', 'other.manoeuvre': 'stopped_in_queue', 'own.signal_faced': 'green', 'own.lane': 'lane_1', 'own.damage_location': 'front', 'location.intersection': 'none', 'location.time': 'day', 'flags.dispute_on_facts': 'false' }
    await flows.statement(a, caseId, answers)
    await flows.statement(b, caseId, { ...answers, 'own.manoeuvre': 'stopped_in_queue', 'other.manoeuvre': 'straight', 'own.damage_location': 'rear', 'own.signal_faced': 'red' })
    const decide = await open(a, 'decide', { id: caseId })
    a.modalAnswer = false
    await tap(decide, '#sign')
    expect(decide.data.notice).toBe('还没有签字。想好了再点“同意并签字”。')
    await decide.instance.refresh()
    expect(decide.data.canDecide).toBe(true)
    expect(text(decide)).toContain('您（甲方）已同意，还没签字')
  })

  test('the privacy guide answers WeChat and consents can be withdrawn', async () => {
    const phone = createPhone('privacy-max')
    use(phone)
    privacy.install()
    const asked = phone.askPrivacy()
    expect(phone.navigations.pop()).toBe('/pages/privacy/privacy?from=platform')
    const page = await open(phone, 'privacy', { from: 'platform' })
    await fire(page, '#agree-privacy', 'agreeprivacyauthorization', {})
    await expect(asked).resolves.toEqual({ event: 'agree', buttonId: 'agree-privacy' })
    await tap(page, '#toggle-location')
    expect(privacy.hasConsent('location')).toBe(true)
    await tap(page, '#toggle-location')
    expect(privacy.hasConsent('location')).toBe(false)
  })

  test('退出登录 ends the token on the service and forgets it on the phone', async () => {
    const { httpCall, STACK } = require('./support/wx')
    const api = require('../utils/api')
    const cases = (token) => httpCall('GET', `${STACK.api}/api/v1/cases`, { headers: { Authorization: `Bearer ${token}` } })
    const phone = createPhone('privacy-nina')
    const signedOut = await open(phone, 'privacy')
    expect(signedOut.querySelector('#sign-out')).toBeFalsy() // nothing to sign out of yet
    use(phone)
    await api.get('/api/v1/cases')
    const { token } = phone.wx.getStorageSync('session')
    expect((await cases(token)).status).toBe(200)

    const page = await open(phone, 'privacy')
    expect(text(page)).toContain('退出登录')
    await tap(page, '#sign-out')
    expect(page.data.error).toBe('')
    expect(page.data.notice).toBe('已退出登录。下次使用时会重新用微信登录。')
    expect(phone.wx.getStorageSync('session')).toBeFalsy()
    expect(page.querySelector('#sign-out')).toBeFalsy()
    const refused = await cases(token)
    expect(refused.status).toBe(401)
    expect(JSON.parse(refused.body.toString()).code).toBe('NOT_AUTHENTICATED')

    // Signing out again with the old token (a second tap, a lost answer): no error, and no
    // new sign-in on the way.
    phone.wx.setStorageSync('session', { token, expiresAt: Date.now() + 3600000, userId: 'u' })
    const again = await open(phone, 'privacy')
    await tap(again, '#sign-out')
    expect(again.data.error).toBe('')
    expect(phone.wx.getStorageSync('session')).toBeFalsy()
    // The next call signs in afresh with a new token.
    use(phone)
    await expect(api.get('/api/v1/cases')).resolves.toEqual({ cases: [] })
    expect(phone.wx.getStorageSync('session').token).not.toBe(token)
  })
})
