// What the service says, in plain Chinese sentences for drivers.

const { t } = require('./labels')

const PARTY = { A: '甲方', B: '乙方' }

function party(label, you) {
  if (!label) return ''
  return label === you ? `您（${PARTY[label]}）` : `对方（${PARTY[label]}）`
}

function yuan(amount) {
  const value = Number(amount || 0)
  return `${value.toFixed(value % 1 ? 2 : 0)} 元`
}

function time(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const pad = (n) => String(n).padStart(2, '0')
  // Shown in Beijing time whatever the phone's zone.
  const bj = new Date(d.getTime() + 8 * 3600 * 1000)
  return `${bj.getUTCFullYear()}年${bj.getUTCMonth() + 1}月${bj.getUTCDate()}日 ${pad(bj.getUTCHours())}:${pad(bj.getUTCMinutes())}`
}

// Who pays whom under which cover: one sentence per line of the payout.
function payoutLines(payout, you) {
  if (!payout || !Array.isArray(payout.breakdown)) return []
  return payout.breakdown
    .filter((line) => Number(line.amount) > 0)
    .map((line) => {
      const insurer = `${party(line.paid_by_insurer_of, you)}的保险公司`
      const cover = t('payout_cover', line.cover)
      const payee = line.payee === line.paid_by_insurer_of ? `${party(line.payee, you)}自己的车损` : party(line.payee, you)
      return {
        text: `${insurer}按“${cover}”赔付${payee} ${yuan(line.amount)}`,
        basis: (line.basis || []).join('、'),
      }
    })
}

// The proposal as a driver reads it: levels, why, which rule, the law, the money.
function proposalSummary(proposal, you) {
  if (!proposal) return null
  const liability = proposal.liability || {}
  const levels = Object.keys(liability).sort().map((label) => ({
    who: party(label, you),
    level: t('liability', liability[label]),
  }))
  const reasons = (proposal.rules || []).map((rule) => ({
    text: rule.explanation_zh,
    basis: (rule.legal_basis || []).join('、'),
  }))
  const losses = Object.keys(proposal.loss || {}).sort().map((label) => {
    const loss = proposal.loss[label] || {}
    return {
      who: party(label, you),
      text: loss.amount === null || loss.amount === undefined
        ? '需要保险公司到现场查勘后定损'
        : `估计维修费用 ${yuan(loss.amount)}`,
    }
  })
  return {
    levels,
    reasons,
    basis: proposal.basis || '',
    losses,
    payout: payoutLines(proposal.payout, you),
    nextStep: (proposal.next_step && proposal.next_step.zh) || '',
    guidance: (proposal.guidance && proposal.guidance.zh) || '',
  }
}

// Who looked at or changed the case, as the access log names them.
function actor(who, kind) {
  if (who === 'you') return '您'
  if (who === 'party_A') return '甲方'
  if (who === 'party_B') return '乙方'
  if (String(who).startsWith('staff:')) return '交警'
  if (String(who).startsWith('insurer:')) return '保险公司'
  if (who === 'system') return '系统'
  return t('actor_kind', kind) || '其他人'
}

function action(code) {
  const label = t('audit_action', code)
  if (label && label !== '（其他）') return label
  if (/\.get$/.test(code)) return '查看了案件'
  return '处理了案件'
}

module.exports = { party, yuan, time, payoutLines, proposalSummary, actor, action, PARTY }
