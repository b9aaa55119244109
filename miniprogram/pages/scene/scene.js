const api = require('../../utils/api')
const { t } = require('../../utils/labels')
const base = require('../../utils/page')

const SAFETY = [
  { key: 'lights', text: '打开危险报警闪光灯（双闪）' },
  { key: 'triangle', text: '在车后 50 米外（高速路 150 米外）放警告标志' },
  { key: 'people', text: '人员撤到路边或护栏外安全的地方' },
]

// Each question, and where its answer goes in the facts document (both vehicles alike).
const QUESTIONS = [
  { key: 'injuries', text: '有没有人受伤？', scope: 'flags' },
  { key: 'movable', text: '双方的车还能开动吗？', scope: 'vehicle' },
  { key: 'driver_licence_valid', text: '双方都有有效的驾驶证吗？', scope: 'vehicle' },
  { key: 'jqx_insured', text: '双方的车都买了交强险吗？', scope: 'vehicle' },
  { key: 'alcohol_or_drugs_suspected', text: '有没有一方喝了酒或者身体不适？', scope: 'vehicle' },
  { key: 'carrying_dangerous_goods', text: '车上有没有装危险物品（油、气、化学品）？', scope: 'vehicle' },
  { key: 'public_facility_damage', text: '有没有撞坏护栏、路灯等公共设施？', scope: 'flags' },
]

Component({
  behaviors: [base],
  data: {
    safety: SAFETY.map((s) => ({ ...s, done: false })),
    safe: false,
    questions: QUESTIONS.map((q) => ({ ...q, answer: null })),
    answered: false,
    result: null,
  },
  methods: {
    tick(e) {
      const safety = this.data.safety.map((s) => (s.key === e.currentTarget.dataset.key ? { ...s, done: true } : s))
      this.setData({ safety, safe: safety.every((s) => s.done) })
    },
    answer(e) {
      const { key, value } = e.currentTarget.dataset
      const questions = this.data.questions.map((q) => (q.key === key ? { ...q, answer: value === 'yes' } : q))
      this.setData({ questions, answered: questions.every((q) => q.answer !== null), result: null })
    },
    facts() {
      const flags = {}
      const vehicle = {}
      this.data.questions.forEach((q) => {
        if (q.scope === 'flags') flags[q.key] = q.answer
        else vehicle[q.key] = q.answer
      })
      return { flags, vehicles: { A: { ...vehicle }, B: { ...vehicle } } }
    },
    check() {
      return this.run(async () => {
        const facts = this.facts()
        const answer = await api.post('/api/v1/eligibility', facts, { auth: false })
        wx.setStorageSync('sceneFacts', facts)
        this.setData({
          result: {
            allowed: answer.allowed,
            guidance: answer.guidance.zh,
            call: answer.route === 'call_police_stay_at_scene' || answer.route === 'move_then_report_police',
            refusals: answer.refusals.map((r) => ({
              reason: t('refusal_reason', r.reason),
              advice: r.advice_zh,
              basis: r.basis.join('、'),
            })),
          },
        })
      })
    },
    next() {
      this.go('/pages/create/create')
    },
    call() {
      wx.makePhoneCall({ phoneNumber: '122' })
    },
  },
})
