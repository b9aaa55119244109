const api = require('../../utils/api')
const { t } = require('../../utils/labels')
const documents = require('../../utils/documents')
const notices = require('../../utils/notices')
const words = require('../../utils/words')
const base = require('../../utils/page')

let insurers = null
async function insurerNames() {
  if (!insurers) {
    const answer = await api.get('/api/v1/insurers', { auth: false })
    insurers = {}
    answer.insurers.forEach((i) => { insurers[i.code] = i.name_zh })
  }
  return insurers
}

// Where the driver continues from each status.
const NEXT = {
  awaiting_party: ['details', '填写我的信息'],
  collecting: ['photos', '继续：信息、陈述和照片'],
  statements_complete: ['decide', '查看责任方案'],
  liability_proposed: ['decide', '查看责任方案并签字'],
}

// The 复核 as the driver follows it: asked and waiting, or its conclusion (the determination
// stands, or it was revoked and the case went back to the police for a new one).
function reconsideration(view, you) {
  const d = view.determination
  const requests = (d && d.reconsideration.requests) || {}
  const conclusion = d && d.reconsideration.conclusion
  const revoked = (view.revoked_determinations || []).map((r) => ({
    number: r.document_number,
    decided: words.time(r.decided_at),
    revokedAt: words.time(r.revoked_at),
    reason: r.reason,
  }))
  const pending = Object.keys(requests).some((p) => requests[p].status === 'pending')
  const upheld = Boolean(conclusion && conclusion.outcome === 'upheld')
  const concludedAt = upheld ? conclusion.at : ((view.revoked_determinations || []).slice(-1)[0] || {}).revoked_at
  return {
    asked: pending || upheld || revoked.length > 0,
    pending,
    // The party who did not ask learns of the conclusion if they accept one notice.
    mayFollow: pending && !(you in requests),
    upheld: upheld ? `${t('reconsideration_status', 'upheld')}，这份认定继续有效。` : '',
    concluded: upheld || revoked.length > 0,
    concludedAt: words.time(concludedAt),
    revokedTitle: revoked.length ? t('reconsideration_status', 'redetermination_ordered') : '',
    revoked,
    backWithPolice: revoked.length > 0 && !d,
  }
}

function timeline(view, answer, recon) {
  const agreement = (answer && answer.agreement) || {}
  const steps = [
    { text: '开案', done: true, when: words.time(view.created_at) },
    { text: '对方加入', done: 'B' in view.parties, when: view.parties.B ? words.time(view.parties.B.joined_at) : '' },
    { text: '双方填写信息和经过', done: view.statements_complete || !['awaiting_party', 'collecting'].includes(view.status), when: '' },
    { text: '责任方案', done: Boolean(answer && (answer.proposal || answer.overruled_by_determination)), when: '' },
  ]
  if (agreement.declined || view.status === 'police_review' || view.determination) {
    const first = recon.revoked[0]
    steps.push({ text: '交警在线认定', done: Boolean(view.determination || first), when: first ? first.decided : (view.determination ? words.time(view.determination.decided_at) : '') })
    if (recon.asked) steps.push({ text: '复核', done: recon.concluded, when: recon.concludedAt })
    if (first) steps.push({ text: '交警重新认定', done: Boolean(view.determination), when: view.determination ? words.time(view.determination.decided_at) : '' })
  } else {
    steps.push({ text: '双方签字', done: Boolean(agreement.document), when: '' })
  }
  steps.push({ text: '保险理赔', done: ['claimed', 'closed'].includes(view.status), when: '' })
  return steps
}

Component({
  behaviors: [base],
  data: {
    caseId: '', status: '', timeline: [], determination: null, claims: [], mediation: '',
    canMediate: false, mediationReason: '', access: [], reason: '', nextPage: '', nextLabel: '',
    reconsideration: null,
  },
  methods: {
    onLoad(options) {
      this.setData({ caseId: options.id })
      notices.preload()
      return this.refresh()
    },
    onShow() {
      if (this.data.status) this.refresh()
    },
    refresh() {
      return this.run(() => this.load())
    },
    async load() {
      const id = this.data.caseId
      const view = await api.get(`/api/v1/cases/${id}`)
      const you = view.your_party
      const answer = await api.get(`/api/v1/cases/${id}/proposal`)
      const log = await api.get(`/api/v1/cases/${id}/access-log`)
      const claims = await this.claims(id, you, view.status)
      const d = view.determination
      const next = NEXT[view.status]
      const recon = reconsideration(view, you)
      this.setData({
        status: t('case_status', view.status),
        timeline: timeline(view, answer, recon),
        reconsideration: recon,
        nextPage: next ? next[0] : '',
        nextLabel: next ? next[1] : '',
        determination: d && {
          levels: Object.keys(d.levels).sort().map((p) => ({ who: words.party(p, you), level: t('liability', d.levels[p]) })),
          explanation: d.explanation || '（无）',
          when: words.time(d.decided_at),
          pdf: Boolean(d.document && d.document.pdf_path),
          pdfPath: d.document ? d.document.pdf_path : '',
          deadline: words.time(d.reconsideration.deadline),
          mayRequest: d.reconsideration.you_may_request,
          requests: Object.keys(d.reconsideration.requests).sort().map((p) => ({
            who: words.party(p, you),
            status: t('reconsideration_status', d.reconsideration.requests[p].status),
          })),
        },
        claims: claims.claims,
        mediation: claims.mediation,
        canMediate: claims.canMediate,
        access: log.entries.slice(-30).reverse().map((e) => ({
          who: words.actor(e.who, e.kind),
          action: words.action(e.action),
          when: words.time(e.at),
        })),
      })
    },
    // The claims of the case and the court mediation, as the service reports them.
    async claims(id, you, status) {
      let answer
      try {
        answer = await api.get(`/api/v1/cases/${id}/claims`)
      } catch (err) {
        if (err.status === 404 || err.status === 503) return { claims: [], mediation: '', canMediate: false }
        throw err
      }
      const names = await insurerNames()
      const list = (answer.claims || []).map((c) => ({
        key: c.claim_id,
        insurerCode: c.insurer_code,
        who: words.party(c.party, you),
        cover: t('claim_cover', c.cover),
        insurer: names[c.insurer_code] || '保险公司',
        number: c.claim_number || '等待保险公司受理',
        status: t('claim_status', c.status),
        due: c.amount_due !== null && c.amount_due !== undefined ? words.yuan(c.amount_due) : '',
        assessment: c.assessment ? words.yuan(c.assessment.amount) : '',
        payout: c.payout ? words.yuan(c.payout.amount) : '',
        history: (c.history || []).map((h) => `${words.time(h.at)} ${t('claim_status', h.status)}`),
      }))
      const m = answer.mediation
      let mediation = ''
      if (m) {
        const stage = m.state === 'requested' ? '已申请调解，等待法院受理' : t('dispute_stage', m.state)
        const result = m.outcome && m.outcome.result ? t('mediation_result', m.outcome.result) : ''
        mediation = [stage, result].filter(Boolean).join('，')
      }
      const settled = ['agreed', 'determined', 'claimed'].includes(status)
      return { claims: list, mediation, canMediate: settled && !m }
    },
    continue() {
      this.go(`/pages/${this.data.nextPage}/${this.data.nextPage}?id=${this.data.caseId}`)
    },
    openDetermination() {
      return this.run(() => documents.open(this.data.determination.pdfPath))
    },
    typeReason(e) {
      this.setData({ reason: e.detail.value })
    },
    reconsider() {
      const reason = this.data.reason.trim()
      if (!reason) {
        this.setData({ error: '请写下申请复核的理由。' })
        return undefined
      }
      notices.ask(['reconsidered'])
      return this.run(async () => {
        await api.post(`/api/v1/cases/${this.data.caseId}/reconsideration`, { reason })
        await this.load()
        this.setData({ notice: '复核申请已提交，上一级交警会处理并通知您。', reason: '' })
      })
    },
    // One accepted notice each: the 复核结论, or the new determination after a revocation.
    followReconsideration() {
      return this.subscribe(['reconsidered'], '复核有结论时，会通过微信通知您。')
    },
    followRedetermination() {
      return this.subscribe(['police_decided'], '交警重新认定后，会通过微信通知您。')
    },
    async subscribe(names, promise) {
      const answer = await notices.ask(names) // asked inside the tap, as WeChat requires
      if (Object.values(answer).includes('accept')) this.setData({ notice: promise })
    },
    typeMediation(e) {
      this.setData({ mediationReason: e.detail.value })
    },
    mediate() {
      const reason = (this.data.mediationReason || '').trim()
      if (!reason) {
        this.setData({ error: '请写下对赔偿有什么争议，调解员会看到。' })
        return undefined
      }
      notices.ask(['mediation_outcome'])
      return this.run(async () => {
        await api.post(`/api/v1/cases/${this.data.caseId}/mediation`, { reason })
        await this.load()
        this.setData({ notice: '调解申请已提交，法院受理后会通知您。', mediationReason: '' })
      })
    },
  },
})
