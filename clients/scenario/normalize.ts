import {
  type AckPacket,
  type Action,
  type ActionName,
  DEFAULT_NOTHING_WINDOW_MS,
  type ExpectedMessage,
  type Qos,
} from './types.ts'

/** A step as the file gives it, after the schema check: one action key, maybe `expect`. */
export type RawStep = Record<string, unknown> & { expect?: Record<string, unknown> }

type Raw = Record<string, unknown>

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback)
const int = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback)
const qos = (v: unknown): Qos => int(v, 0) as Qos

/** The scenario's name for the connection a step acts on. */
export function clientOf(action: ActionName, raw: RawStep): string {
  const body = raw[action]
  return typeof body === 'string' ? body : String((body as Raw).client)
}

/**
 * Fills in every default. Only called on a step that passed the schema, so
 * the shapes are known; the schema is the one place that says what is valid.
 */
export function normalizeAction(action: ActionName, raw: RawStep, timeoutMs: number): Action {
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
            }
          : null,
        username: str(body.username),
        password: str(body.password),
        protocolVersion: int(body.protocolVersion, 4) as 3 | 4,
        expect: {
          sessionPresent: typeof expect.sessionPresent === 'boolean' ? expect.sessionPresent : null,
          returnCode: int(expect.returnCode, 0),
        },
      }
    }
    case 'subscribe': {
      const topics = Array.isArray(body.topics)
        ? (body.topics as Raw[]).map((t) => ({ topic: String(t.topic), qos: qos(t.qos) }))
        : [{ topic: String(body.topic), qos: qos(body.qos) }]
      const granted = Array.isArray(expect.granted) ? (expect.granted as number[]) : null
      return { action, topics, expect: { granted } }
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
      }
    case 'disconnect':
    case 'drop':
      return { action }
    case 'stop-acknowledging':
      return {
        action,
        packets: (body.packets as AckPacket[] | undefined) ?? ['puback', 'pubrec', 'pubcomp'],
      }
    case 'wait':
      return { action, until: body.until as 'closed' | 'pong', timeoutMs: timeout }
    case 'expect-messages':
      return {
        action,
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
  }
}
