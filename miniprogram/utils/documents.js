// Issued documents (the agreement, the 事故认定书): download, then open in WeChat's viewer.
const api = require('./api')

async function open(path) {
  const filePath = await api.download(path)
  await new Promise((resolve, reject) => {
    wx.openDocument({
      filePath,
      fileType: 'pdf',
      showMenu: true,
      success: resolve,
      fail: () => reject(new api.ApiError('文件已下载，但手机打不开。请稍后在“我的案件”里再试。')),
    })
  })
  return filePath
}

module.exports = { open }
