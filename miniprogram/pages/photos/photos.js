const api = require('../../utils/api')
const labels = require('../../utils/labels')
const privacy = require('../../utils/privacy')
const queue = require('../../utils/queue')
const base = require('../../utils/page')

const ORDER = ['side_front', 'side_rear', 'collision_point', 'scene_overview', 'own_plate', 'other_plate', 'licence', 'registration', 'other']

function isoNow() {
  return new Date().toISOString()
}

function chooseFromCamera() {
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['camera'],
      sizeType: ['original'],
      camera: 'back',
      success: (res) => resolve(res.tempFiles[0].tempFilePath),
      fail: (err) => reject(new api.ApiError(/cancel/.test((err && err.errMsg) || '') ? '' : '没有打开相机。请在设置里允许使用相机。')),
    })
  })
}

function whereAmI() {
  return new Promise((resolve) => {
    wx.getLocation({
      type: 'gcj02',
      success: (res) => resolve({ latitude: res.latitude, longitude: res.longitude }),
      fail: () => resolve(null), // the photo still goes up; the reviewer sees it has no place
    })
  })
}

Component({
  behaviors: [base],
  data: { caseId: '', allowed: false, slots: [], complete: false, canReturn: false, missingCount: 0, queued: 0, progress: {} },
  methods: {
    onLoad(options) {
      this.setData({ caseId: options.id, allowed: privacy.hasConsent('photos') })
      queue.watchNetwork(() => this.refresh())
      return this.run(() => this.load())
    },
    consented() {
      this.setData({ allowed: true })
    },
    refresh() {
      return this.run(() => this.load())
    },
    async load() {
      await labels.load()
      const [view, photos] = await Promise.all([
        api.get(`/api/v1/cases/${this.data.caseId}`),
        api.get(`/api/v1/cases/${this.data.caseId}/photos`),
      ])
      this.caseView = view
      const me = view.your_party
      const checklist = photos.checklist
      const missing = new Set([...(checklist.missing_for_case || []), ...((checklist.missing_by_party || {})[me] || [])])
      const mine = photos.photos.filter((p) => p.party === me)
      const retakes = {}
      ;(view.retake_requests || []).forEach((r) => r.slots.forEach((s) => { retakes[s] = r.reason }))
      const taken = {}
      mine.forEach((p) => { taken[p.slot] = p })
      const queuedSlots = new Set(queue.forCase(this.data.caseId).map((q) => q.formData.slot))
      const wanted = ORDER.filter((s) => missing.has(s) || taken[s] || retakes[s] || queuedSlots.has(s))
      const slots = wanted.map((code) => {
        const photo = taken[code]
        let state = '还没拍'
        if (queuedSlots.has(code)) state = '已拍好，等网络恢复后上传'
        else if (photo) state = `已上传（${labels.t('photo_verdict', photo.verdict)}）`
        if (this.data.progress[code] !== undefined) state = `正在上传 ${this.data.progress[code]}%`
        return {
          code,
          label: labels.t('photo_slot', code),
          sample: `/images/slot/${code}.svg`,
          done: Boolean(photo),
          state,
          retake: retakes[code] || '',
          reasons: photo ? photo.reasons.filter((r) => r.outcome !== 'pass').map((r) => r.zh) : [],
        }
      })
      this.setData({
        slots,
        canReturn: view.status === 'collecting' && (view.retake_requests || []).length > 0 && view.statements_complete,
        complete: checklist.complete,
        missingCount: missing.size,
        queued: queue.forCase(this.data.caseId).length,
      })
    },
    take(e) {
      const slot = e.currentTarget.dataset.slot
      return this.run(async () => {
        const filePath = await chooseFromCamera()
        const place = await whereAmI()
        const formData = {
          slot,
          upload_id: api.uuid(),
          captured_at: isoNow(),
          nonce: this.caseView.capture_nonce,
          ...(place ? { latitude: String(place.latitude), longitude: String(place.longitude) } : {}),
        }
        try {
          await api.upload(`/api/v1/cases/${this.data.caseId}/photos`, filePath, formData, {
            onProgress: (p) => this.setData({ [`progress.${slot}`]: p }),
          })
          this.setData({ notice: '照片已上传。' })
        } catch (err) {
          if (!err.retryable) throw err
          // Weak network: keep it and send it when the network returns (same upload_id).
          queue.add({ caseId: this.data.caseId, filePath, formData })
          this.setData({
            notice: '网络不好，照片已保存在手机上，网络恢复后会自动上传。',
            queued: queue.forCase(this.data.caseId).length,
            slots: this.data.slots.map((s) => (s.code === slot ? { ...s, state: '已拍好，等网络恢复后上传' } : s)),
          })
          return
        } finally {
          const progress = { ...this.data.progress }
          delete progress[slot]
          this.setData({ progress })
        }
        await this.load()
      })
    },
    retryQueue() {
      return this.run(async () => {
        const done = await queue.flush()
        const refused = done.filter((d) => d.error)
        if (refused.length) this.setData({ notice: '' })
        await this.load()
        if (refused.length) throw refused[0].error
      })
    },
    next() {
      this.go(`/pages/decide/decide?id=${this.data.caseId}`)
    },
    returnToPolice() {
      return this.run(async () => {
        await api.post(`/api/v1/cases/${this.data.caseId}/return-to-police`)
        await this.load()
        this.setData({ notice: '已交回交警，交警处理后会通知您。' })
      })
    },
  },
})
