// What a driver does on each page, as reusable steps for the journey and the word checks.
const { phoneCode } = require('./wx')
const { open, tap, type, pick, fire, text, consent, until } = require('./pages')

const rendered = []
// Every page text the tests saw, for the check that no code is ever shown.
function seen(page, label) {
  rendered.push({ label: label || page.pageName, text: text(page) })
  return page
}

async function scene(phone) {
  const page = await open(phone, 'scene')
  for (const item of page.data.safety) await tap(page, `#safety-${item.key}`)
  seen(page, 'scene (safety done)')
  for (const q of page.data.questions) {
    const yes = ['movable', 'driver_licence_valid', 'jqx_insured'].includes(q.key)
    await tap(page, `#${q.key}-${yes ? 'yes' : 'no'}`)
  }
  await tap(page, '#check')
  seen(page, 'scene (answered)')
  if (!page.data.result || !page.data.result.allowed) throw new Error(`scene refused: ${text(page)}`)
  return page
}

async function create(phone, address = '深圳市南山区深南大道与科技园路口') {
  const page = await open(phone, 'create')
  seen(page, 'create (consent)')
  await consent(page)
  await tap(page, '#locate')
  await type(page, '#address', address)
  await type(page, '#description', '等红灯时被后车追尾')
  await tap(page, '#create')
  if (page.data.error) throw new Error(page.data.error)
  await tap(page, '#notify-join')
  return seen(page, 'create (invite)')
}

async function join(phone, code) {
  const page = await open(phone, 'join', { scene: encodeURIComponent(`c=${code}`) })
  if (!page.data.joined) throw new Error(`join failed: ${page.data.error}`)
  return seen(page)
}

async function details(phone, caseId, person) {
  const page = await open(phone, 'details', { id: caseId })
  seen(page, 'details (consent)')
  await consent(page)
  for (const field of ['name', 'id_number', 'licence_number', 'plate', 'policy_number']) {
    await type(page, `#${field}`, person[field])
  }
  await fire(page, '#get-phone', 'getphonenumber', { code: await phoneCode(person.phone), errMsg: 'getPhoneNumber:ok' })
  if (page.data.form.phone !== person.phone) throw new Error(`phone not verified: ${page.data.error}`)
  const insurer = page.data.insurers.findIndex((i) => i.code === person.insurer)
  await pick(page, '#insurer', insurer)
  seen(page, 'details (filled)')
  await tap(page, '#save')
  if (page.data.error) throw new Error(`details: ${page.data.error}`)
  return page
}

// Answers not given: coming from behind the other, nothing fell off, both covers bought.
const DEFAULT_ANSWERS = {
  'own.approach_from': 'behind', load_shed: 'none',
  'own.commercial_third_party_cover': 'true', 'own.own_damage_cover': 'true',
}

// answers: question key → code, in the facts vocabulary.
async function statement(phone, caseId, given) {
  const answers = { ...DEFAULT_ANSWERS, ...given }
  const page = await open(phone, 'statement', { id: caseId })
  while (!page.data.reviewing) {
    const q = page.data.questions[page.data.step]
    seen(page, `statement (${q.key})`)
    const want = answers[q.key]
    let index = q.choices.findIndex((c) => c.code === want)
    if (index < 0 && q.more) {
      await tap(page, '#more')
      index = page.data.questions[page.data.step].choices.findIndex((c) => c.code === want)
    }
    if (index < 0) throw new Error(`no choice ${want} for ${q.key}`)
    await tap(page, `#choice-${index}`)
  }
  await type(page, '#narrative', '我方按说明陈述')
  seen(page, 'statement (review)')
  await tap(page, '#submit')
  if (page.data.error) throw new Error(`statement: ${page.data.error}`)
  return page
}

async function photos(phone, caseId) {
  const page = await open(phone, 'photos', { id: caseId })
  seen(page, 'photos (consent)')
  await consent(page)
  await until(() => page.data.slots.length > 0, { what: 'the photo slots' })
  for (const slot of page.data.slots.filter((s) => !s.done).map((s) => s.code)) {
    await tap(page, `#take-${slot}`)
    if (page.data.error) throw new Error(`photo ${slot}: ${page.data.error}`)
  }
  return seen(page, 'photos (taken)')
}

module.exports = { scene, create, join, details, statement, photos, seen, rendered }
