// Start the whole service once for all test files: python -m tests.miniprogram_stack from
// the repository root prints "STACK {json}" when everything listens.
const { spawn } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const START_TIMEOUT_MS = 120000

module.exports = async () => {
  const python = process.env.PYTHON || 'python3'
  const child = spawn(python, ['-m', 'tests.miniprogram_stack'], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: ROOT },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const stack = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error(`the service did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`))
    }, START_TIMEOUT_MS)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const line = out.split('\n').find((l) => l.startsWith('STACK '))
      if (line) {
        clearTimeout(timer)
        resolve(JSON.parse(line.slice(6)))
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the service exited (${code}) before it listened:\n${stderr}`))
    })
  })
  child.stdout.resume()
  const file = path.join(os.tmpdir(), `mini-stack-${process.pid}.json`)
  fs.writeFileSync(file, JSON.stringify(stack))
  process.env.MINI_STACK_FILE = file
  globalThis.__MINI_STACK__ = child
}
