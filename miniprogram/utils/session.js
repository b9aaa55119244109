// Sign-in: wx.login's code becomes the service's own bearer token (kept in storage until
// it expires). A retried sign-in with the same code gets the same token back. Sign-out ends
// the token on the service and forgets it here.

const api = require('./api')

const KEY = 'session'
let pending = null

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new api.ApiError('微信登录没有成功，请重新打开小程序。'))),
      fail: () => reject(new api.ApiError('微信登录没有成功，请检查网络后重新打开小程序。', { code: 'NETWORK', retryable: true })),
    })
  })
}

async function signIn() {
  if (!pending) {
    pending = (async () => {
      const code = await wxLogin()
      const answer = await api.post('/api/v1/auth/wechat', { code }, { auth: false })
      const session = { token: answer.token, expiresAt: Date.parse(answer.expires_at), userId: answer.user_id }
      wx.setStorageSync(KEY, session)
      return session
    })()
    pending.then(() => { pending = null }, () => { pending = null })
  }
  return pending
}

async function token() {
  const session = wx.getStorageSync(KEY)
  if (session && session.token && session.expiresAt - Date.now() > 60000) return session.token
  return (await signIn()).token
}

async function signInAgain() {
  wx.removeStorageSync(KEY)
  await signIn()
}

function signedIn() {
  const session = wx.getStorageSync(KEY)
  return Boolean(session && session.token && session.expiresAt > Date.now())
}

// The stored token is sent as it is (no sign-in first, none again on a 401): a 401 means
// the service no longer accepts it (signed out already, or expired), which is the goal.
// The token is forgotten here whatever the answer; an unreachable service is reported.
async function signOut() {
  const session = wx.getStorageSync(KEY)
  if (!session || !session.token) return
  try {
    await api.post('/api/v1/auth/sign-out', {}, { auth: false, header: { Authorization: `Bearer ${session.token}` } })
  } catch (err) {
    if (err.status !== 401) throw err
  } finally {
    wx.removeStorageSync(KEY)
  }
}

api.useSession(token, signInAgain)

module.exports = { signIn, token, signInAgain, signedIn, signOut }
