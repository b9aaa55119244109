// Separate, explicit consent for one kind of sensitive personal information.
const privacy = require('../../utils/privacy')

Component({
  properties: { kind: { type: String, value: 'identity' } },
  data: { given: false, refused: false, title: '', text: '' },
  lifetimes: {
    attached() {
      const kind = privacy.KINDS[this.data.kind] || privacy.KINDS.identity
      const given = privacy.hasConsent(this.data.kind)
      this.setData({ given, title: kind.title, text: kind.text })
      if (given) this.triggerEvent('given', { kind: this.data.kind })
    },
  },
  methods: {
    agree() {
      privacy.give(this.data.kind)
      this.setData({ given: true, refused: false })
      this.triggerEvent('given', { kind: this.data.kind })
    },
    refuse() {
      this.setData({ refused: true })
    },
  },
})
