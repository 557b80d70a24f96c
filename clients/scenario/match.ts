import type { ReceivedMessage } from './result.ts'
import type { ExpectedMessage, NumberExpectation } from './types.ts'

/** The MQTT 5 properties an expected message can name. */
export const MQTT5_MESSAGE_FIELDS = [
  'messageExpiryInterval',
  'subscriptionIdentifier',
  'contentType',
  'responseTopic',
  'correlationData',
  'payloadFormatIndicator',
  'userProperties',
] as const

function numberHolds(want: NumberExpectation | null, got: unknown): boolean {
  if (want === null || typeof want === 'number') return got === want
  if (typeof got !== 'number') return false
  return got >= (want.min ?? 0) && got <= (want.max ?? Number.POSITIVE_INFINITY)
}

/** `null` and an absent property are the same: the broker did not send it. */
const same = (want: unknown, got: unknown) =>
  JSON.stringify(want ?? null) === JSON.stringify(got ?? null)

/** Ways `got` falls short of `want`, in words; empty when it matches. */
export function mismatches(want: ExpectedMessage, got: ReceivedMessage): string[] {
  const out: string[] = []
  const check = <K extends 'topic' | 'payload' | 'qos' | 'dup' | 'retain'>(key: K) => {
    const expected = want[key]
    if (expected !== undefined && expected !== got[key]) {
      out.push(`${key} ${JSON.stringify(got[key])}, expected ${JSON.stringify(expected)}`)
    }
  }
  check('topic')
  check('payload')
  check('qos')
  check('dup')
  check('retain')
  for (const key of MQTT5_MESSAGE_FIELDS) {
    const expected = want[key]
    if (expected === undefined) continue
    const holds =
      key === 'messageExpiryInterval'
        ? numberHolds(want.messageExpiryInterval ?? null, got.messageExpiryInterval ?? null)
        : same(expected, got[key])
    if (!holds) {
      out.push(`${key} ${JSON.stringify(got[key] ?? null)}, expected ${JSON.stringify(expected)}`)
    }
  }
  if (want.sameIdAs !== undefined && got.sameId === false) {
    out.push(`packet id differs from "${want.sameIdAs}"`)
  }
  return out
}

/** `topic "payload" qos1 dup retain`, for failure messages and tables. */
export function describeMessage(m: ReceivedMessage): string {
  const flags = [`q${m.qos}`, m.dup ? 'dup' : '', m.retain ? 'retain' : ''].filter(Boolean)
  const properties = MQTT5_MESSAGE_FIELDS.filter((k) => m[k] !== undefined).map(
    (k) => `${k}=${JSON.stringify(m[k])}`,
  )
  return `${m.topic} ${JSON.stringify(m.payload)} ${[...flags, ...properties].join(' ')}`
}

/**
 * Matches expectations to messages in any order: each expectation takes the
 * first unused message it matches. Returns the failures (empty if all found).
 */
export function matchUnordered(wants: ExpectedMessage[], got: ReceivedMessage[]): string[] {
  const used = new Set<number>()
  const failures: string[] = []
  wants.forEach((want, i) => {
    const found = got.findIndex((m, j) => !used.has(j) && mismatches(want, m).length === 0)
    if (found >= 0) used.add(found)
    else failures.push(`message ${i + 1} (${JSON.stringify(want)}) not among those received`)
  })
  return failures
}

/** Matches expectations to messages position by position. */
export function matchOrdered(wants: ExpectedMessage[], got: ReceivedMessage[]): string[] {
  return wants.flatMap((want, i) => {
    const m = got[i]
    if (m === undefined) return []
    return mismatches(want, m).map((what) => `message ${i + 1}: ${what}`)
  })
}
