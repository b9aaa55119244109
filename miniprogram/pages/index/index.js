const api = require('../../utils/api')
const { t } = require('../../utils/labels')
const words = require('../../utils/words')
const base = require('../../utils/page')

Component({
  behaviors: [base],
  data: { cases: [], loaded: false },
  methods: {
    onLoad() {
      return this.refresh()
    },
    onShow() {
      if (this.data.loaded) this.refresh()
    },
    refresh() {
      return this.run(async () => {
        const answer = await api.get('/api/v1/cases')
        this.setData({
          loaded: true,
          cases: answer.cases.map((c) => ({
            id: c.id,
            address: c.address,
            when: words.time(c.occurred_at),
            status: t('case_status', c.status),
          })),
        })
      })
    },
    start() {
      this.go('/pages/scene/scene')
    },
    join() {
      this.go('/pages/join/join')
    },
    open(e) {
      this.go(`/pages/follow/follow?id=${e.currentTarget.dataset.id}`)
    },
    privacy() {
      this.go('/pages/privacy/privacy')
    },
  },
})
