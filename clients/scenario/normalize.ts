import {
  type AckPacket,
  type Action,
  type ActionName,
  type ConnectProperties,
  DEFAULT_NOTHING_WINDOW_MS,
  type ExpectedMessage,
  type Protocol,
  type PublishProperties,
  type Qos,
  type Subscription,
  type UserProperties,
  type WillProperties,
} from './types.ts'

/** A step as the file gives it, after the schema check: one action key, maybe `expect`. */
export type RawStep = Record<string, unknown> & { expect?: Record<string, unknown> }

type Raw = Record<string, unknown>

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback)
const int = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback)
const qos = (v: unknown): Qos => int(v, 0) as Qos
const orNull = <T>(v: unknown): T | null => (v === undefined ? null : (v as T))

/** A subscription with only the options the file gives. */
function subscription(t: Raw): Subscription {
  const out: Subscription = { topic: String(t.topic), qos: qos(t.qos) }
  if (typeof t.noLocal === 'boolean') out.noLocal = t.noLocal
  if (typeof t.retainAsPublished === 'boolean') out.retainAsPublished = t.retainAsPublished
  if (typeof t.retainHandling === 'number') out.retainHandling = t.retainHandling as 0 | 1 | 2
  return out
}

/** The scenario's name for the connection a step acts on. */
export function clientOf(action: ActionName, raw: RawStep): string {
  const body = raw[action]
  if (typeof body === 'string') return body
  // `expect-messages: { anyOf: [a, b] }` takes from either: `a|b`
  const anyOf = (body as Raw).anyOf
  if (Array.isArray(anyOf)) return anyOf.join('|')
  // a timed `wait: { ms }` belongs to no client
  const client = (body as Raw).client
  return typeof client === 'string' ? client : ''
}

/**
 * Fills in every default. Only called on a step that passed the schema, so
 * the shapes are known; the schema is the one place that says what is valid.
 */
export function normalizeAction(
  action: ActionName,
  raw: RawStep,
  timeoutMs: number,
  protocol: Protocol,
): Action {
  const body = (typeof raw[action] === 'object' ? raw[action] : {}) as Raw
  const expect = raw.expect ?? {}
  const timeout = int(body.timeout, timeoutMs)
  switch (action) {
    case 'connect': {
      const will = body.will as Raw | undefined
      return {
        action,
        clientId: String(body.clientId),
        clean: bool(body.clean, true),
        keepalive: int(body.keepalive, 0),
        will: will
          ? {
              topic: String(will.topic),
              payload: String(will.payload),
              qos: qos(will.qos),
              retain: bool(will.retain, false),
              properties: orNull<WillProperties>(will.properties),
            }
          : null,
        username: str(body.username),
        password: str(body.password),
        protocol: int(body.protocol, protocol) as Protocol,
        properties: orNull<ConnectProperties>(body.properties),
        expect: {
          sessionPresent: typeof expect.sessionPresent === 'boolean' ? expect.sessionPresent : null,
          returnCode: int(expect.reasonCode, int(expect.returnCode, 0)),
          properties: orNull<Record<string, unknown>>(expect.properties),
        },
      }
    }
    case 'subscribe': {
      const topics = Array.isArray(body.topics)
        ? (body.topics as Raw[]).map(subscription)
        : [subscription(body)]
      const granted = Array.isArray(expect.granted) ? (expect.granted as number[]) : null
      return {
        action,
        topics,
        subscriptionIdentifier: orNull<number>(body.subscriptionIdentifier),
        userProperties: orNull<UserProperties>(body.userProperties),
        expect: { granted },
      }
    }
    case 'unsubscribe':
      return {
        action,
        topics: Array.isArray(body.topics) ? (body.topics as string[]) : [String(body.topic)],
      }
    case 'publish':
      return {
        action,
        topic: String(body.topic),
        payload: str(body.payload) ?? '',
        qos: qos(body.qos),
        retain: bool(body.retain, false),
        dup: bool(body.dup, false),
        properties: orNull<PublishProperties>(body.properties),
        expect: {
          reasonCode:
            typeof expect.reasonCode === 'number'
              ? [expect.reasonCode]
              : orNull<number[]>(expect.reasonCode),
        },
      }
    case 'disconnect':
      return {
        action,
        reasonCode: orNull<number>(body.reasonCode),
        sessionExpiryInterval: orNull<number>(body.sessionExpiryInterval),
      }
    case 'drop':
      return { action }
    case 'stop-acknowledging':
      return {
        action,
        packets: (body.packets as AckPacket[] | undefined) ?? ['puback', 'pubrec', 'pubcomp'],
      }
    case 'wait':
      if (typeof body.ms === 'number') return { action, until: 'time', ms: body.ms }
      return { action, until: body.until as 'closed' | 'pong', timeoutMs: timeout }
    case 'expect-messages':
      return {
        action,
        clients: Array.isArray(body.anyOf) ? (body.anyOf as string[]) : [String(body.client)],
        messages: body.messages as ExpectedMessage[],
        ordered: bool(body.ordered, true),
        timeoutMs: timeout,
      }
    case 'expect-pubrel':
      return { action, sameIdAs: str(body.sameIdAs), timeoutMs: timeout }
    case 'expect-nothing':
      return { action, windowMs: int(body.window, DEFAULT_NOTHING_WINDOW_MS) }
    case 'expect-closed':
      return { action, timeoutMs: timeout }
    case 'expect-disconnect':
      return { action, reasonCode: orNull<number>(body.reasonCode), timeoutMs: timeout }
  }
}
