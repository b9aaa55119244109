// Two phones through the real service, from the scene to the signed agreement; and from a
// refusal to the police determination and a 复核 request, revoked or upheld by a supervisor.
const { createPhone, simulator, httpCall, STACK } = require('./support/wx')
const { open, tap, type, text, until, use } = require('./support/pages')
const api = require('../utils/api')
const words = require('../utils/words')
const { Reviewer } = require('./support/reviewer')
const flows = require('./support/flows')
const { vocabulary, rawCodes } = require('./support/codes')

// Every page these journeys rendered is also checked for raw codes.
afterAll(async () => {
  const codes = await vocabulary()
  const found = flows.rendered.map((p) => ({ label: p.label, raw: rawCodes(p.text, codes) })).filter((p) => p.raw.length)
  expect(found).toEqual([])
  expect(flows.rendered.length).toBeGreaterThan(30)
})

const ALICE = {
  name: '张伟', id_number: '440305198803152316', phone: '13812345678',
  licence_number: '440305198803152316', plate: '粤B7K2M9', policy_number: 'PDZA2026440300001', insurer: 'PICC',
}
const BOB = {
  name: '李娜', id_number: '440304199207214428', phone: '13987654321',
  licence_number: '440304199207214428', plate: '粤B3H8Q1', policy_number: 'PDZA2026440300002', insurer: 'CPIC',
}
// Alice ran into the back of Bob, who was waiting at a red light.
const REAR = {
  'own.manoeuvre': 'straight', 'other.manoeuvre': 'stopped_in_queue', 'own.signal_faced': 'green',
  'own.lane': 'lane_2', 'own.damage_location': 'front', 'location.intersection': 'signalized_approach',
  'location.time': 'day', 'flags.dispute_on_facts': 'false',
}
const FRONT = {
  ...REAR, 'own.manoeuvre': 'stopped_in_queue', 'other.manoeuvre': 'straight', 'own.signal_faced': 'red',
  'own.damage_location': 'rear', 'own.approach_from': 'same_direction',
}

async function caseUpToTheProposal(a, b, suffix, aAnswers = {}) {
  await flows.scene(a)
  const create = await flows.create(a, `深圳市南山区深南大道${suffix}`)
  const caseId = create.data.caseId
  await flows.join(b, create.data.joinCode)
  await flows.details(a, caseId, ALICE)
  await flows.details(b, caseId, BOB)
  await flows.statement(a, caseId, { ...REAR, ...aAnswers })
  await flows.statement(b, caseId, FRONT)
  await flows.photos(a, caseId)
  const photosB = await flows.photos(b, caseId)
  expect(JSON.stringify({ complete: photosB.data.complete, slots: photosB.data.slots, error: photosB.data.error, notice: photosB.data.notice })).toContain("\"complete\":true")
  return caseId
}

test('scene → create → join → details → statements → photos → proposal → both sign → agreement PDF', async () => {
  const a = createPhone('journey-alice')
  const b = createPhone('journey-bob')
  const caseId = await caseUpToTheProposal(a, b, '一段')
  expect(a.lastChooseMedia).toMatchObject({ sourceType: ['camera'], sizeType: ['original'], count: 1 })

  const decideA = flows.seen(await open(a, 'decide', { id: caseId }), 'decide (proposal)')
  expect(decideA.data.summary.levels).toEqual([
    { who: '您（甲方）', level: '全部责任' }, { who: '对方（乙方）', level: '无责任' },
  ])
  expect(text(decideA)).toContain('道交法第43条')
  expect(text(decideA)).toMatch(/乙方）的保险公司|甲方）的保险公司/)
  await tap(decideA, '#sign')
  expect(a.modals[0].content).toContain('全部责任')
  expect(decideA.data.notice).toBe('您已签字，等对方签字。')

  const decideB = await open(b, 'decide', { id: caseId })
  expect(text(decideB)).toContain('您（乙方）')
  expect(text(decideB)).toContain('甲方）已签字')
  await tap(decideB, '#sign')
  expect(decideB.data.agreed).toBe(true)
  flows.seen(decideB, 'decide (agreed)')
  await tap(decideB, '#agreement')
  expect(b.documents).toHaveLength(1)
  expect(b.documents[0].bytes.subarray(0, 4).toString()).toBe('%PDF')

  // Alice asked on the tap at opening: the simulator delivered "the other party joined".
  const delivered = await until(async () => {
    const r = await fetchMessages('journey-alice')
    return r.some((m) => m.template_id === STACK.templates.joined)
  }, { what: 'the joined notice', timeout: 20000 })
  expect(delivered).toBeUndefined()

  const follow = flows.seen(await open(a, 'follow', { id: caseId }), 'follow (agreed)')
  expect(text(follow)).toContain('双方签字')
  expect(follow.data.access.length).toBeGreaterThan(0)
  // The claims reach the insurer simulators, which give claim numbers.
  await until(async () => {
    await follow.instance.refresh()
    return follow.data.claims.length > 0 && follow.data.claims.every((c) => c.number !== '等待保险公司受理')
  }, { what: 'claim numbers from the insurers', timeout: 30000 })
  expect(text(follow)).toContain('中国人民财产保险股份有限公司')
  expect(text(follow)).toContain('交强险')
  flows.seen(follow, 'follow (claims)')
  // Alice's insurer assesses, approves and pays her compulsory claim over the insurer API.
  const picc = follow.data.claims.find((c) => c.insurerCode === 'PICC' && c.cover === '交强险')
  const paid = await httpCall('POST', `${STACK.control}/insurer/pay`, {
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ insurer: 'PICC', claim_id: picc.key, amount: '700.00' })),
  })
  expect(paid.status).toBe(200)
  await follow.instance.refresh()
  const shown = follow.data.claims.find((c) => c.key === picc.key)
  expect(shown).toMatchObject({ status: '已赔付', assessment: '700 元', payout: '700 元' })
  expect(text(follow)).toContain('已赔付：700 元')
  flows.seen(follow, 'follow (paid)')
  // Alice accepted the claim notices when she tapped "sign": the payout reached her WeChat.
  expect(a.subscriptions).toContainEqual([STACK.templates.claim_assessed, STACK.templates.claim_paid])
  await until(async () => (await fetchMessages('journey-alice'))
    .some((m) => m.template_id === STACK.templates.claim_paid), { what: 'the payout notice', timeout: 20000 })
  await tap(follow, '#mediate')
  expect(follow.data.error).toBe('请写下对赔偿有什么争议，调解员会看到。')
  await type(follow, '#mediation-reason', '对方认为维修费用估得太低')
  await tap(follow, '#mediate')
  expect(follow.data.error).toBe('')
  expect(follow.data.mediation).not.toBe('')
  flows.seen(follow, 'follow (mediation)')
})

test('decline → a reviewer determines over HTTP → both phones show it and its PDF → one asks for 复核', async () => {
  const a = createPhone('journey-carol')
  const b = createPhone('journey-dan')
  // Carol has no commercial third-party cover and says so: the statement carries it.
  const caseId = await caseUpToTheProposal(a, b, '二段', { 'own.commercial_third_party_cover': 'false' })
  use(a)
  const own = (await api.get(`/api/v1/cases/${caseId}`)).parties.A.statement.own_vehicle
  expect(own).toMatchObject({ commercial_third_party_cover: false, own_damage_cover: true, manoeuvre: 'straight' })

  const decideB = await open(b, 'decide', { id: caseId })
  await tap(decideB, '#decline')
  expect(decideB.data.error).toBe('请写下您不同意的理由，交警会看到。')
  await type(decideB, '#reason', '我当时并没有停稳，对方说法不对')
  await tap(decideB, '#decline')
  expect(decideB.data.sentToPolice).toBe(true)
  expect(b.subscriptions.pop()).toEqual([STACK.templates.police_decided])
  flows.seen(decideB, 'decide (declined)')

  const reviewer = new Reviewer()
  await reviewer.login()
  await reviewer.determine(caseId, {
    rule: 'S01', level_A: '全部责任', level_B: '无责任', reason: '甲车未保持安全距离', note: '甲车追尾前车',
  })

  for (const phone of [a, b]) {
    const follow = flows.seen(await open(phone, 'follow', { id: caseId }), `follow (determined, ${phone.user})`)
    expect(follow.data.determination.levels.map((l) => l.level)).toEqual(['全部责任', '无责任'])
    expect(text(follow)).toContain('甲车追尾前车')
    await tap(follow, '#determination-pdf')
    expect(phone.documents.pop().bytes.subarray(0, 4).toString()).toBe('%PDF')
    const decide = await open(phone, 'decide', { id: caseId })
    expect(decide.data.summary).toBeNull() // the overruled figures are gone
    await until(async () => {
      await follow.instance.refresh()
      return follow.data.claims.length > 0
    }, { what: 'the claims filed on the determination' })
    expect(follow.data.claims.some((c) => c.cover === '交强险')).toBe(true)
  }

  const followA = await open(a, 'follow', { id: caseId })
  await tap(followA, '#reconsider-submit')
  expect(followA.data.error).toBe('请写下申请复核的理由。')
  await type(followA, '#reconsider-reason', '对方倒车在先，行车记录仪可证')
  await tap(followA, '#reconsider-submit')
  expect(followA.data.error).toBe('')
  expect(followA.data.notice).toContain('复核申请已提交')
  expect(followA.data.determination.mayRequest).toBe(false)
  expect(text(followA)).toContain('复核申请已提交，等待上一级交警处理')
  flows.seen(followA, 'follow (reconsideration)')
  // Carol accepted the conclusion's notice on the tap that asked for the 复核.
  expect(a.subscriptions.pop()).toEqual([STACK.templates.reconsidered])
  expect(followA.querySelector('#follow-reconsideration')).toBeFalsy() // she asked: she is told

  const decided = await until(async () => (await fetchMessages('journey-dan'))
    .some((m) => m.template_id === STACK.templates.police_decided), { what: 'the decision notice', timeout: 20000 })
  expect(decided).toBeUndefined()

  // Dan did not ask: he sees the pending 复核 and may accept the notice of its conclusion.
  const followB = flows.seen(await open(b, 'follow', { id: caseId }), 'follow (the other asked for 复核)')
  expect(text(followB)).toContain('对方（甲方）：复核申请已提交，等待上一级交警处理')
  expect(followB.data.timeline.find((s) => s.text === '复核')).toMatchObject({ done: false })
  await tap(followB, '#follow-reconsideration')
  expect(b.subscriptions.pop()).toEqual([STACK.templates.reconsidered])
  await until(() => followB.data.notice === '复核有结论时，会通过微信通知您。', { what: 'the notice promise' })

  // The supervisor revokes the determination in the console: both phones show which
  // 认定书 was revoked and when, and that the case is back with the police.
  await conclude(caseId, 'redetermine', '原认定未考虑乙车起步未观察')
  for (const phone of [a, b]) {
    const { view, follow } = await followWithView(phone, caseId, 'revoked')
    const [revoked] = view.revoked_determinations
    expect(follow.data.determination).toBeNull()
    const shown = text(follow)
    expect(shown).toContain('复核结论：撤销原认定，重新认定')
    expect(revoked.document_number).toContain(caseId)
    expect(shown).toContain(`原事故认定书（编号 ${revoked.document_number}，${words.time(revoked.decided_at)} 作出）已于 ${words.time(revoked.revoked_at)} 撤销。`)
    expect(shown).toContain('复核结论的理由：原认定未考虑乙车起步未观察')
    expect(shown).toContain('案件已退回交警，等待重新作出事故认定。')
    expect(follow.data.status).toBe('待交警认定')
    expect(follow.data.timeline.map((s) => [s.text, s.done]).slice(-4)).toEqual([
      ['交警在线认定', true], ['复核', true], ['交警重新认定', false], ['保险理赔', false]])
  }
  // Both parties' WeChat got the conclusion, in words.
  for (const user of ['journey-carol', 'journey-dan']) {
    await until(async () => (await fetchMessages(user))
      .some((m) => m.template_id === STACK.templates.reconsidered), { what: `the 复核 notice for ${user}`, timeout: 20000 })
    const [told] = (await fetchMessages(user)).filter((m) => m.template_id === STACK.templates.reconsidered)
    expect(told.data.thing1.value).toBe('复核结论：撤销原认定，重新认定')
    expect(told.page).toBe(`pages/follow/follow?id=${caseId}`)
  }

  // Determined again: the new determination is shown, the revoked one stays listed.
  const followAgain = await open(a, 'follow', { id: caseId })
  await tap(followAgain, '#follow-redetermination')
  expect(a.subscriptions.pop()).toEqual([STACK.templates.police_decided])
  await reviewer.determine(caseId, {
    rule: 'other', basis_statute: '道交法', basis_article: '第43条', level_A: '主要责任', level_B: '次要责任',
    reason: '复核后重新认定，双方均有过错', note: '乙车起步未观察后方来车',
  })
  await followAgain.instance.refresh()
  flows.seen(followAgain, 'follow (determined again)')
  expect(followAgain.data.determination.levels.map((l) => l.level)).toEqual(['主要责任', '次要责任'])
  expect(followAgain.data.reconsideration.revoked).toHaveLength(1)
  expect(followAgain.querySelector('#back-with-police')).toBeFalsy()
  expect(followAgain.querySelector('#reconsider')).toBeFalsy() // the 复核 is heard once
  expect(followAgain.data.timeline.find((s) => s.text === '交警重新认定')).toMatchObject({ done: true })
  await until(async () => (await fetchMessages('journey-carol'))
    .filter((m) => m.template_id === STACK.templates.police_decided).length === 1,
  { what: 'the new decision notice', timeout: 20000 })
})

test('a 复核 upheld: both phones show that the determination stands', async () => {
  const a = createPhone('journey-erin')
  const b = createPhone('journey-finn')
  const caseId = await caseUpToTheProposal(a, b, '三段')
  const decideB = await open(b, 'decide', { id: caseId })
  await type(decideB, '#reason', '对方说法不对')
  await tap(decideB, '#decline')
  const reviewer = new Reviewer()
  await reviewer.login()
  await reviewer.determine(caseId, {
    rule: 'S01', level_A: '全部责任', level_B: '无责任', reason: '甲车未保持安全距离', note: '甲车追尾前车',
  })
  const followA = await open(a, 'follow', { id: caseId })
  await type(followA, '#reconsider-reason', '前车突然倒车')
  await tap(followA, '#reconsider-submit')
  expect(followA.data.reconsideration).toMatchObject({ pending: true, mayFollow: false, concluded: false })

  await conclude(caseId, 'upheld', '行车记录仪显示前车并未倒车')
  for (const phone of [a, b]) {
    const { view, follow } = await followWithView(phone, caseId, 'upheld')
    expect(follow.data.determination.levels.map((l) => l.level)).toEqual(['全部责任', '无责任'])
    expect(text(follow)).toContain(`复核结论：维持原认定，这份认定继续有效。（${words.time(view.determination.reconsideration.conclusion.at)}）`)
    expect(text(follow)).toContain(`${phone === a ? '您' : '对方'}（甲方）：复核结论：维持原认定`)
    expect(follow.querySelector('#revoked')).toBeFalsy()
    expect(follow.querySelector('#reconsider')).toBeFalsy()
    expect(follow.data.timeline.find((s) => s.text === '复核')).toMatchObject({ done: true })
  }
  await until(async () => (await fetchMessages('journey-erin'))
    .some((m) => m.template_id === STACK.templates.reconsidered && m.data.thing1.value === '复核结论：维持原认定'),
  { what: 'the 复核 notice', timeout: 20000 })
})

// The supervisor concludes the 复核 in the console over HTTP.
async function conclude(caseId, outcome, reason) {
  const supervisor = new Reviewer()
  await supervisor.login(STACK.supervisor)
  await supervisor.conclude(caseId, outcome, reason)
}

// The case as the service serves it to this phone's driver, and the follow page showing it.
async function followWithView(phone, caseId, state) {
  use(phone)
  const view = await api.get(`/api/v1/cases/${caseId}`)
  const follow = flows.seen(await open(phone, 'follow', { id: caseId }), `follow (${state}, ${phone.user})`)
  return { view, follow }
}

async function fetchMessages(user) {
  const { httpCall } = require('./support/wx')
  const res = await httpCall('GET', `${STACK.wechat}/sim/messages?user=${encodeURIComponent(user)}`)
  return JSON.parse(res.body.toString()).messages
}

module.exports = { simulator }
