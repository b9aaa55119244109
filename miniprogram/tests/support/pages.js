// Pages rendered from their real WXML/WXSS/JS by miniprogram-simulate, driven like a finger.
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const simulateUtils = require('miniprogram-simulate/src/utils')

// miniprogram-simulate runs a component's JS with require() and expects it to run again on
// the next load, but Jest keeps its own module registry. Evaluate the file itself each time
// (in the test's global scope, where wx and Component live); what it requires stays shared.
simulateUtils.runJs = (componentPath) => {
  const file = `${componentPath}.js`
  const module = { exports: {} }
  const localRequire = (request) => require(request.startsWith('.') ? path.resolve(path.dirname(file), request) : request)
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', fs.readFileSync(file, 'utf8'))(localRequire, module, module.exports)
}

const ROOT = path.resolve(__dirname, '..', '..')

function use(phone) {
  global.wx = phone.wx
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(predicate, { timeout = 30000, what = 'condition' } = {}) {
  const started = Date.now()
  for (;;) {
    if (await predicate()) return
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

// Wait for the page's actions (busy flag) to end.
async function idle(page) {
  await sleep(30)
  await until(() => !page.data.busy, { what: 'the page to finish' })
  await sleep(10)
}

async function open(phone, name, options = {}) {
  use(phone)
  const id = simulate.load(path.join(ROOT, 'pages', name, name), { compiler: 'simulate', rootPath: ROOT })
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  page.phone = phone
  page.pageName = name
  if (typeof page.instance.onLoad === 'function') await page.instance.onLoad(options)
  await idle(page)
  return page
}

function find(page, selector) {
  const node = page.querySelector(selector)
  if (!node) throw new Error(`${page.pageName}: nothing matches ${selector}`)
  return node
}

async function tap(page, selector) {
  use(page.phone)
  find(page, selector).dispatchEvent('tap')
  await idle(page)
}

async function type(page, selector, value) {
  use(page.phone)
  find(page, selector).dispatchEvent('input', { detail: { value } })
  await sleep(5)
}

async function pick(page, selector, index) {
  use(page.phone)
  find(page, selector).dispatchEvent('change', { detail: { value: index } })
  await sleep(5)
}

async function fire(page, selector, event, detail) {
  use(page.phone)
  find(page, selector).dispatchEvent(event, { detail })
  await idle(page)
}

function text(page) {
  return page.dom.textContent.replace(/\s+/g, ' ').trim()
}

// The page's consent block (a child component), agreed to.
async function consent(page) {
  const block = page.querySelector('#consent')
  if (!block) return
  for (const kind of ['identity', 'location', 'photos']) {
    const button = block.querySelector(`#agree-${kind}`)
    if (button) {
      use(page.phone)
      button.dispatchEvent('tap')
      await idle(page)
    }
  }
}

module.exports = { open, tap, type, pick, fire, text, idle, until, use, consent, sleep, find }
