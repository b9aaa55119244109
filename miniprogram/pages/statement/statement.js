// The statement as guided questions with pictures, in the facts vocabulary. The driver
// sees only words and pictures; the codes go to the service.

const api = require('../../utils/api')
const labels = require('../../utils/labels')
const notices = require('../../utils/notices')
const base = require('../../utils/page')

const COMMON_MANOEUVRES = [
  'straight', 'stopped_in_queue', 'lane_change_left', 'lane_change_right', 'left_turn',
  'right_turn', 'u_turn', 'reversing', 'pulling_out_from_parking', 'parking_in',
]

function choices(kind, codes, imageDir) {
  return codes.map((code) => ({
    code,
    label: labels.t(kind, code),
    image: imageDir ? `/images/${imageDir}/${code}.svg` : '',
  }))
}

function questions() {
  const manoeuvres = labels.codes('manoeuvre')
  const common = COMMON_MANOEUVRES.filter((c) => manoeuvres.includes(c))
  const lanes = [1, 2, 3, 4].map((n) => ({ code: `lane_${n}`, label: `从左数第 ${n} 条车道`, image: '' }))
  return [
    { key: 'own.manoeuvre', text: '出事时，您的车在做什么？', choices: choices('manoeuvre', common, 'manoeuvre'),
      all: choices('manoeuvre', manoeuvres, 'manoeuvre'), more: true, answer: '' },
    { key: 'other.manoeuvre', text: '出事时，对方的车在做什么？', choices: choices('manoeuvre', common, 'manoeuvre'),
      all: choices('manoeuvre', manoeuvres, 'manoeuvre'), more: true, answer: '' },
    { key: 'own.signal_faced', text: '您当时面对的是什么信号？', choices: choices('signal_faced', labels.codes('signal_faced').filter((c) => c !== 'claimed_green')), answer: '' },
    { key: 'own.lane', text: '您当时在哪条车道？', choices: lanes, answer: '' },
    { key: 'own.damage_location', text: '您的车哪里被撞坏了？', choices: choices('damage_location', labels.codes('damage_location'), 'damage'), answer: '' },
    { key: 'location.intersection', text: '事故发生在什么地方？', choices: choices('intersection', labels.codes('intersection')), answer: '' },
    { key: 'location.time', text: '当时是白天还是夜间？', choices: choices('time', labels.codes('time')), answer: '' },
    { key: 'own.approach_from', text: '站在对方驾驶位看，您的车是从哪个方向驶来的？',
      choices: choices('approach_from', labels.codes('approach_from')), answer: '' },
    // One question for either vehicle's load: each answer sets both keys.
    { key: 'load_shed', text: '有没有车上的货物或物品掉落、飘散到另一辆车上？', answer: '',
      choices: [
        { code: 'none', label: '没有', image: '', sets: { 'own.load_shed': false, 'other.load_shed': false } },
        { code: 'own', label: '我车上的掉到了对方车上', image: '', sets: { 'own.load_shed': true, 'other.load_shed': false } },
        { code: 'other', label: '对方车上的掉到了我的车上', image: '', sets: { 'own.load_shed': false, 'other.load_shed': true } },
      ] },
    { key: 'own.commercial_third_party_cover', text: '您的车买了商业第三者责任险（商业三者险）吗？',
      choices: [{ code: 'true', label: '买了', image: '' }, { code: 'false', label: '没买', image: '' }], answer: '' },
    { key: 'own.own_damage_cover', text: '您的车买了车损险吗？',
      choices: [{ code: 'true', label: '买了', image: '' }, { code: 'false', label: '没买', image: '' }], answer: '' },
    { key: 'flags.dispute_on_facts', text: '您和对方对事故经过的说法一致吗？',
      choices: [{ code: 'false', label: '一致', image: '' }, { code: 'true', label: '不一致', image: '' }], answer: '' },
  ]
}

Component({
  behaviors: [base],
  data: { caseId: '', step: 0, questions: [], reviewing: false, summary: [], narrative: '', vehicleType: 'small_car' },
  methods: {
    onLoad(options) {
      this.setData({ caseId: options.id })
      notices.preload()
      return this.run(async () => {
        await labels.load()
        this.setData({ questions: questions() })
        const view = await api.get(`/api/v1/cases/${options.id}`)
        const mine = view.parties[view.your_party]
        if (mine && mine.details && mine.details.vehicle_type) this.setData({ vehicleType: mine.details.vehicle_type })
      })
    },
    choose(e) {
      const code = e.currentTarget.dataset.code
      this.setData({ [`questions[${this.data.step}].answer`]: code })
      if (this.data.step + 1 < this.data.questions.length) this.setData({ step: this.data.step + 1 })
      else this.review()
    },
    more() {
      const q = this.data.questions[this.data.step]
      this.setData({ [`questions[${this.data.step}].choices`]: q.all, [`questions[${this.data.step}].more`]: false })
    },
    back() {
      this.setData({ step: Math.max(0, this.data.step - 1) })
    },
    restart() {
      this.setData({ step: 0, reviewing: false })
    },
    review() {
      const summary = this.data.questions.map((q) => {
        const choice = (q.all || q.choices).find((c) => c.code === q.answer)
        return { question: q.text, answer: choice ? choice.label : '' }
      })
      this.setData({ reviewing: true, summary })
    },
    typeNarrative(e) {
      this.setData({ narrative: e.detail.value })
    },
    statement() {
      const scene = wx.getStorageSync('sceneFacts') || {}
      const answered = (scene.vehicles && scene.vehicles.A) || {}
      const own = {
        type: this.data.vehicleType,
        driver_licence_valid: answered.driver_licence_valid !== false,
        jqx_insured: answered.jqx_insured !== false,
        movable: answered.movable !== false,
      }
      const other = {}
      const location = {}
      const flags = { injuries: Boolean(scene.flags && scene.flags.injuries) }
      const sections = { own, other, location, flags }
      this.data.questions.forEach((q) => {
        const choice = (q.all || q.choices).find((c) => c.code === q.answer)
        const value = q.answer === 'true' ? true : q.answer === 'false' ? false : q.answer
        const sets = (choice && choice.sets) || { [q.key]: value }
        Object.entries(sets).forEach(([path, v]) => {
          const [scope, key] = path.split('.')
          sections[scope][key] = v
        })
      })
      return { own_vehicle: own, other_vehicle: other, location, flags, narrative: this.data.narrative.trim() }
    },
    submit() {
      // Asked on the tap: the proposal, or a request to retake photos, will follow.
      notices.ask(['proposal_ready', 'retake_asked'])
      return this.run(async () => {
        await api.post(`/api/v1/cases/${this.data.caseId}/statement`, this.statement())
        this.go(`/pages/photos/photos?id=${this.data.caseId}`)
      })
    },
  },
})
