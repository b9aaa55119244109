const api = require('../../utils/api')
const labels = require('../../utils/labels')
const notices = require('../../utils/notices')
const privacy = require('../../utils/privacy')
const words = require('../../utils/words')
const base = require('../../utils/page')


function now() {
  // ISO 8601 with the phone's offset: the service needs a time zone.
  const d = new Date()
  const offset = -d.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0')
  const local = new Date(d.getTime() + offset * 60000).toISOString().slice(0, 19)
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`
}

Component({
  behaviors: [base],
  data: {
    allowed: false, located: false, latitude: 0, longitude: 0, address: '', description: '',
    weathers: [], weatherIndex: 0, roads: [], roadIndex: 0,
    caseId: '', joinCode: '', expires: '', codeImage: '',
  },
  methods: {
    onLoad() {
      notices.preload()
      return this.run(async () => {
        await labels.load()
        this.setData({
          weathers: labels.options('weather', labels.codes('weather')),
          roads: labels.options('road_type', labels.codes('road_type')),
          allowed: privacy.hasConsent('location'),
        })
      })
    },
    consented() {
      this.setData({ allowed: true })
    },
    locate() {
      return this.run(() => new Promise((resolve, reject) => {
        wx.getLocation({
          type: 'gcj02',
          success: (res) => {
            this.setData({ located: true, latitude: res.latitude, longitude: res.longitude })
            resolve()
          },
          fail: () => reject(new api.ApiError('没有拿到位置。请在设置里允许使用位置，并打开手机定位。')),
        })
      }))
    },
    typeAddress(e) { this.setData({ address: e.detail.value }) },
    typeDescription(e) { this.setData({ description: e.detail.value }) },
    pickWeather(e) { this.setData({ weatherIndex: Number(e.detail.value) }) },
    pickRoad(e) { this.setData({ roadIndex: Number(e.detail.value) }) },
    create() {
      return this.run(async () => {
        if (!this.data.located) throw new api.ApiError('请先点“记录我现在的位置”。')
        if (!this.data.address.trim()) throw new api.ApiError('请填写事故地点。')
        if (!this.data.description.trim()) throw new api.ApiError('请简单说说发生了什么。')
        const created = await api.post('/api/v1/cases', {
          occurred_at: now(),
          address: this.data.address.trim(),
          location: { latitude: this.data.latitude, longitude: this.data.longitude },
          weather: this.data.weathers[this.data.weatherIndex].code,
          road_type: this.data.roads[this.data.roadIndex].code,
          description: this.data.description.trim(),
        })
        wx.setStorageSync('currentCase', created.id)
        this.setData({ caseId: created.id })
        await this.makeInvitation()
      })
    },
    invite() {
      return this.run(() => this.makeInvitation())
    },
    async makeInvitation() {
      const invite = await api.post(`/api/v1/cases/${this.data.caseId}/invitation`)
      this.setData({ joinCode: invite.code, expires: words.time(invite.expires_at), codeImage: '' })
      try {
        const bytes = await api.post(`/api/v1/cases/${this.data.caseId}/invitation/wxacode`,
          { code: invite.code }, { responseType: 'arraybuffer' })
        const path = `${wx.env.USER_DATA_PATH}/join-${this.data.caseId}.png`
        wx.getFileSystemManager().writeFileSync(path, bytes, 'binary')
        this.setData({ codeImage: path })
      } catch (err) {
        // The typed code still works: say so instead of failing the page.
        this.setData({ notice: '扫码图片暂时生成不了，请让对方输入上面的加入码。' })
      }
    },
    notifyJoin() {
      notices.ask(['joined'])
    },
    next() {
      this.go(`/pages/details/details?id=${this.data.caseId}`)
    },
  },
})
