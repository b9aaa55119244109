const api = require('../../utils/api')
const documents = require('../../utils/documents')
const notices = require('../../utils/notices')
const words = require('../../utils/words')
const base = require('../../utils/page')

const MISSING = {
  party_B: '对方还没有加入案件',
  details_A: '甲方还没有填写信息', details_B: '乙方还没有填写信息',
  statement_A: '甲方还没有说明事故经过', statement_B: '乙方还没有说明事故经过',
}

function confirm(content) {
  return new Promise((resolve) => {
    wx.showModal({
      title: '确认签字',
      content,
      confirmText: '确认签字',
      cancelText: '再看看',
      success: (res) => resolve(Boolean(res.confirm)),
      fail: () => resolve(false),
    })
  })
}

Component({
  behaviors: [base],
  data: {
    caseId: '', summary: null, waiting: null, progress: null, canDecide: false,
    agreed: false, sentToPolice: false, reason: '', view: null,
  },
  methods: {
    onLoad(options) {
      this.setData({ caseId: options.id })
      notices.preload()
      return this.refresh()
    },
    refresh() {
      return this.run(() => this.load())
    },
    async load() {
      const id = this.data.caseId
      const view = await api.get(`/api/v1/cases/${id}`)
      if (view.status === 'collecting' || view.status === 'awaiting_party') {
        this.setData({ waiting: view.missing.map((m) => MISSING[m] || '还有信息没填完'), summary: null, canDecide: false })
        return
      }
      let answer = await api.get(`/api/v1/cases/${id}/proposal`)
      if (!answer.proposal && view.status === 'statements_complete') {
        answer = await api.post(`/api/v1/cases/${id}/proposal`)
      }
      this.apply(answer)
    },
    apply(answer) {
      const you = answer.your_party
      const agreement = answer.agreement
      const status = answer.status
      const progress = ['A', 'B'].filter((p) => p in agreement.signed).map((p) => {
        if (agreement.signed[p]) return `${words.party(p, you)}已签字`
        if (agreement.accepted[p]) return `${words.party(p, you)}已同意，还没签字`
        return `${words.party(p, you)}还没确认`
      })
      this.setData({
        view: answer,
        waiting: null,
        summary: words.proposalSummary(answer.proposal, you),
        progress: status === 'liability_proposed' ? progress : null,
        canDecide: status === 'liability_proposed' && !agreement.signed[you],
        agreed: Boolean(agreement.document),
        sentToPolice: status === 'police_review' || Boolean(answer.determination),
      })
    },
    typeReason(e) {
      this.setData({ reason: e.detail.value })
    },
    sign() {
      // Asked on the tap: the insurers' answers will follow as notices.
      notices.ask(['claim_assessed', 'claim_paid'])
      return this.run(async () => {
        const id = this.data.caseId
        const view = this.data.view
        if (!view.agreement.accepted[view.your_party]) await api.post(`/api/v1/cases/${id}/accept`)
        const request = await api.post(`/api/v1/cases/${id}/signature-request`)
        const levels = this.data.summary.levels.map((l) => `${l.who}${l.level}`).join('，')
        if (!(await confirm(`您同意：${levels}，并按方案赔付。签字后不能撤回。`))) {
          this.setData({ notice: '还没有签字。想好了再点“同意并签字”。' })
          return
        }
        const answer = await api.post(`/api/v1/cases/${id}/sign`, {
          confirmation: request.confirmation,
          terms_sha256: request.terms_sha256,
        })
        this.apply(answer)
        this.setData({ notice: answer.agreement.document ? '双方都已签字，协议生效。' : '您已签字，等对方签字。' })
      })
    },
    decline() {
      const reason = this.data.reason.trim()
      if (!reason) {
        this.setData({ error: '请写下您不同意的理由，交警会看到。' })
        return undefined
      }
      notices.ask(['police_decided'])
      return this.run(async () => {
        const answer = await api.post(`/api/v1/cases/${this.data.caseId}/decline`, { reason })
        this.apply(answer)
      })
    },
    agreement() {
      return this.run(() => documents.open(`/api/v1/cases/${this.data.caseId}/agreement.pdf`))
    },
    follow() {
      this.go(`/pages/follow/follow?id=${this.data.caseId}`)
    },
  },
})
