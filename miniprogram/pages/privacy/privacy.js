const privacy = require('../../utils/privacy')
const base = require('../../utils/page')
const session = require('../../utils/session')

function kinds() {
  return Object.keys(privacy.KINDS).map((kind) => ({ kind, ...privacy.KINDS[kind], given: privacy.hasConsent(kind) }))
}

Component({
  behaviors: [base],
  data: { kinds: [], from: '', signedIn: false },
  methods: {
    onLoad(options) {
      this.setData({ kinds: kinds(), from: (options && options.from) || '', signedIn: session.signedIn() })
    },
    signOut() {
      return this.run(async () => {
        try {
          await session.signOut()
          this.setData({ notice: '已退出登录。下次使用时会重新用微信登录。' })
        } finally {
          this.setData({ signedIn: session.signedIn() })
        }
      })
    },
    agreed() {
      privacy.resolvePlatform(true)
      this.setData({ notice: '谢谢，您可以继续了。' })
      if (this.data.from === 'platform') wx.navigateBack()
    },
    disagreed() {
      privacy.resolvePlatform(false)
      this.setData({ notice: '不同意就无法在线处理事故。您可以拨打 122，由交警到现场处理。' })
    },
    toggle(e) {
      const kind = e.currentTarget.dataset.kind
      if (privacy.hasConsent(kind)) privacy.withdraw(kind)
      else privacy.give(kind)
      this.setData({ kinds: kinds() })
    },
  },
})
