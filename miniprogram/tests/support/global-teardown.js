const fs = require('fs')

module.exports = async () => {
  const child = globalThis.__MINI_STACK__
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000)
    await exited
    clearTimeout(timer)
  }
  if (process.env.MINI_STACK_FILE) {
    fs.rmSync(process.env.MINI_STACK_FILE, { force: true })
    fs.rmSync(`${process.env.MINI_STACK_FILE}.photos`, { force: true })
  }
}
