const privacy = require('./utils/privacy')
const queue = require('./utils/queue')

App({
  globalData: {},
  onLaunch() {
    privacy.install()
    // Photos taken offline go up as soon as the network is back.
    queue.watchNetwork()
    queue.flush()
  },
})
