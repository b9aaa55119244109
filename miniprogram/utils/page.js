// What every page shares: a busy flag, one error line in plain Chinese, navigation.

const labels = require('./labels')
const { ApiError } = require('./api')
require('./session')

module.exports = Behavior({
  data: { busy: false, error: '', notice: '' },
  methods: {
    // Run an action: one at a time, its error shown on the page, never thrown at WeChat.
    async run(action) {
      if (this.data.busy) return undefined
      this.setData({ busy: true, error: '', notice: '' })
      try {
        await labels.load()
        return await action()
      } catch (err) {
        // Only our own errors carry words for drivers; anything else is a fault of ours.
        const words = err instanceof ApiError ? err.message : '出了点问题，请稍后再试。'
        if (!(err instanceof ApiError)) console.error(err) // eslint-disable-line no-console
        this.setData({ error: words })
        return undefined
      } finally {
        this.setData({ busy: false })
      }
    },
    go(url) {
      wx.navigateTo({ url })
    },
  },
})
