import type { Step } from './types.ts'

/** A mistake that the schema cannot see: it needs the steps before. */
export interface OrderIssue {
  step: Step
  message: string
}

/**
 * Every client must be connected by an earlier step before it is used, and
 * every `sameIdAs` must name an id an earlier step saved (in an ordered `expect-messages`).
 */
export function checkOrder(steps: Step[]): OrderIssue[] {
  const connected = new Set<string>()
  const saved = new Set<string>()
  const out: OrderIssue[] = []
  for (const step of steps) {
    if (step.action === 'connect') {
      connected.add(step.client)
      continue
    }
    if (!connected.has(step.client)) {
      out.push({ step, message: `client "${step.client}" is used before any step connects it` })
    }
    const refs =
      step.action === 'expect-messages'
        ? step.messages.map((m) => m.sameIdAs)
        : step.action === 'expect-pubrel'
          ? [step.sameIdAs]
          : []
    for (const ref of refs) {
      if (ref && !saved.has(ref)) {
        out.push({ step, message: `sameIdAs "${ref}" names no id saved by an earlier step` })
      }
    }
    if (step.action === 'expect-messages') {
      if (!step.ordered && step.messages.some((m) => m.sameIdAs)) {
        // which message a packet id belongs to is only known position by position
        out.push({ step, message: 'sameIdAs needs ordered: true' })
      }
      for (const m of step.messages) if (m.saveId) saved.add(m.saveId)
    }
  }
  return out
}
