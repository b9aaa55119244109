const api = require('../../utils/api')
const labels = require('../../utils/labels')
const privacy = require('../../utils/privacy')
const errors = require('../../utils/errors')
const base = require('../../utils/page')

// The classes printed on a Chinese driving licence (shown as printed).
const CLASSES = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'B1', 'B2', 'A1', 'A2', 'A3', 'D', 'E']

Component({
  behaviors: [base],
  data: {
    caseId: '', allowed: false, phoneVerified: false,
    form: { name: '', id_number: '', phone: '', licence_number: '', plate: '', policy_number: '' },
    classes: CLASSES, classIndex: 0, vehicleTypes: [], typeIndex: 0, insurers: [], insurerIndex: 0,
  },
  methods: {
    onLoad(options) {
      this.setData({ caseId: options.id, allowed: privacy.hasConsent('identity') })
      return this.run(async () => {
        await labels.load()
        const types = labels.options('type', labels.codes('type'))
        const insurers = (await api.get('/api/v1/insurers', { auth: false })).insurers
        this.setData({
          vehicleTypes: types,
          typeIndex: Math.max(0, types.findIndex((x) => x.code === 'small_car')),
          insurers: insurers.map((i) => ({ code: i.code, name: i.name_zh })),
        })
      })
    },
    consented() {
      this.setData({ allowed: true })
    },
    type(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    pickClass(e) { this.setData({ classIndex: Number(e.detail.value) }) },
    pickType(e) { this.setData({ typeIndex: Number(e.detail.value) }) },
    pickInsurer(e) { this.setData({ insurerIndex: Number(e.detail.value) }) },
    gotPhone(e) {
      const code = e.detail && e.detail.code
      if (!code) {
        this.setData({ error: '没有拿到手机号。也可以直接在上面输入。' })
        return undefined
      }
      return this.run(async () => {
        const answer = await api.post('/api/v1/me/phone', { code })
        this.setData({ 'form.phone': answer.phone, phoneVerified: true })
      })
    },
    save() {
      return this.run(async () => {
        const f = this.data.form
        const missing = ['name', 'id_number', 'phone', 'licence_number', 'plate', 'policy_number']
          .find((k) => !String(f[k] || '').trim())
        if (missing) throw new api.ApiError(`请填写“${errors.fieldName(missing)}”。`)
        await api.post(`/api/v1/cases/${this.data.caseId}/details`, {
          name: f.name.trim(),
          id_number: f.id_number.trim().toUpperCase(),
          phone: f.phone.trim(),
          licence_number: f.licence_number.trim(),
          licence_class: CLASSES[this.data.classIndex],
          plate: f.plate.trim().toUpperCase(),
          vehicle_type: this.data.vehicleTypes[this.data.typeIndex].code,
          insurer_code: this.data.insurers[this.data.insurerIndex].code,
          policy_number: f.policy_number.trim(),
        })
        this.go(`/pages/statement/statement?id=${this.data.caseId}`)
      })
    },
  },
})
