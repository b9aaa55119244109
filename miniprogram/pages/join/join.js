const api = require('../../utils/api')
const base = require('../../utils/page')
const { codeFrom } = require('../../utils/joincode')

Component({
  behaviors: [base],
  data: { code: '', joined: false },
  methods: {
    onLoad(options) {
      const code = codeFrom(options && options.scene)
      if (code) {
        this.setData({ code })
        return this.join(code)
      }
      return undefined
    },
    typeCode(e) {
      this.setData({ code: e.detail.value })
    },
    joinTyped() {
      const code = this.data.code.trim()
      if (!/^\d{6,12}$/.test(code)) {
        this.setData({ error: '加入码是 8 位数字，请核对后再输。' })
        return undefined
      }
      return this.join(code)
    },
    scan() {
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['wxCode', 'qrCode'],
        success: (res) => {
          const code = codeFrom(res.path) || codeFrom(res.result)
          if (!code) {
            this.setData({ error: '没有认出加入码。请扫对方手机上显示的码，或者直接输入 8 位加入码。' })
            return
          }
          this.setData({ code })
          this.join(code)
        },
        fail: () => this.setData({ error: '没有扫到码。可以直接输入 8 位加入码。' }),
      })
    },
    join(code) {
      return this.run(async () => {
        const joined = await api.post('/api/v1/cases/join', { code })
        wx.setStorageSync('currentCase', joined.id)
        this.setData({ joined: true })
        this.go(`/pages/details/details?id=${joined.id}`)
      })
    },
  },
})
