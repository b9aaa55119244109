// Walks every page in the states a driver meets and fails on any raw code of the service's
// vocabulary (statement keys and values, slots, statuses, verdicts, routes, error codes)
// or on a code the label table could not word.
const { createPhone } = require('./support/wx')
const { open, tap, type, text } = require('./support/pages')
const { Reviewer } = require('./support/reviewer')
const flows = require('./support/flows')
const { vocabulary, rawCodes } = require('./support/codes')

const PERSON = (n) => ({
  name: `王${n}`, id_number: `44030519900101${String(1000 + n).slice(-3)}X`, phone: `1390000${String(1000 + n)}`,
  licence_number: `44030519900101${String(1000 + n)}`, plate: `粤B${String(10000 + n)}`, policy_number: `PDZA${n}`, insurer: 'PING_AN',
})

test('no page ever shows a raw code', async () => {
  const a = createPhone('words-alice')
  const b = createPhone('words-bob')
  const pages = []
  const keep = (page, label) => pages.push({ label, text: text(page) })

  keep(await open(a, 'index'), 'index (empty)')
  keep(await open(a, 'privacy'), 'privacy')
  const refused = await open(a, 'scene')
  for (const item of refused.data.safety) await tap(refused, `#safety-${item.key}`)
  for (const q of refused.data.questions) await tap(refused, `#${q.key}-yes`) // every exclusion at once
  await tap(refused, '#check')
  keep(refused, 'scene (refused for every reason)')

  await flows.scene(a)
  const create = await flows.create(a, '深圳市南山区科技园南路')
  const caseId = create.data.caseId
  const badJoin = await open(b, 'join')
  await type(badJoin, '#code', '99999999')
  await tap(badJoin, '#join')
  keep(badJoin, 'join (refused)')
  await flows.join(b, create.data.joinCode)
  const decideEarly = await open(a, 'decide', { id: caseId })
  keep(decideEarly, 'decide (waiting)')
  await flows.details(a, caseId, PERSON(1))
  await flows.details(b, caseId, PERSON(2))
  const statement = await open(a, 'statement', { id: caseId })
  // The walk reaches the newer facts too (each choice is then checked for codes).
  expect(statement.data.questions.map((q) => q.key)).toEqual(expect.arrayContaining([
    'own.approach_from', 'load_shed', 'own.commercial_third_party_cover', 'own.own_damage_cover']))
  for (let step = 0; step < statement.data.questions.length; step += 1) {
    if (statement.data.questions[step].more) await tap(statement, '#more') // every choice shown
    keep(statement, `statement (question ${step + 1}, all choices)`)
    await tap(statement, '#choice-0')
  }
  keep(statement, 'statement (review)')
  await flows.statement(a, caseId, {
    'own.manoeuvre': 'straight', 'other.manoeuvre': 'stopped_in_queue', 'own.signal_faced': 'green',
    'own.lane': 'lane_1', 'own.damage_location': 'front', 'location.intersection': 'none',
    'location.time': 'day', 'flags.dispute_on_facts': 'false',
  })
  await flows.statement(b, caseId, {
    'own.manoeuvre': 'stopped_in_queue', 'other.manoeuvre': 'straight', 'own.signal_faced': 'red',
    'own.lane': 'lane_1', 'own.damage_location': 'rear', 'location.intersection': 'none',
    'location.time': 'day', 'flags.dispute_on_facts': 'false',
  })
  keep(await flows.photos(a, caseId), 'photos (A)')
  keep(await flows.photos(b, caseId), 'photos (B)')
  const decide = await open(a, 'decide', { id: caseId })
  keep(decide, 'decide (proposal)')
  await tap(decide, '#sign')
  keep(decide, 'decide (signed, waiting)')
  const followProposed = await open(b, 'follow', { id: caseId })
  keep(followProposed, 'follow (proposed)')
  const declined = await open(b, 'decide', { id: caseId })
  await type(declined, '#reason', '不同意')
  await tap(declined, '#decline')
  keep(declined, 'decide (declined)')
  const reviewer = new Reviewer()
  await reviewer.login()
  await reviewer.determine(caseId, { rule: 'S01', level_A: '全部责任', level_B: '无责任', reason: '甲车未与前车保持安全距离', note: '甲车追尾' })
  const follow = await open(a, 'follow', { id: caseId })
  keep(follow, 'follow (determined)')
  await type(follow, '#reconsider-reason', '不服')
  await tap(follow, '#reconsider-submit')
  keep(follow, 'follow (reconsideration asked)')
  keep(await open(a, 'index'), 'index (with a case)')

  const codes = await vocabulary()
  const found = pages
    .map((p) => ({ label: p.label, raw: rawCodes(p.text, codes), unknown: p.text.includes('（其他）') }))
    .filter((p) => p.raw.length || p.unknown)
  expect(found).toEqual([])
  expect(pages.length).toBeGreaterThan(20)
  // The check itself can fail: a page text with a code is caught.
  expect(rawCodes('状态：liability_proposed', codes)).toEqual(['liability_proposed'])
})
