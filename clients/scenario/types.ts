/**
 * A scenario as the runner sees it, after `load.ts` has parsed and checked
 * a file: every default filled in, every step numbered and placed on its
 * line. The file format itself is described by `clients/scenarios/schema.json`.
 */

export type Qos = 0 | 1 | 2
export type AckPacket = 'puback' | 'pubrec' | 'pubcomp'

export interface Scenario {
  /** The file's name without directory and extension, e.g. `clean-session-discards-state`. */
  id: string
  file: string
  name: string
  /** The session rule it exercises, e.g. `[MQTT-3.1.2-6] CleanSession=1 discards the session`. */
  rule: string | null
  /** Default wait for a packet or condition, in ms. */
  timeoutMs: number
  steps: Step[]
}

export interface StepPlace {
  /** 1-based position in `steps`. */
  index: number
  /** 1-based line of the step in its file. */
  line: number
  client: string
}

export interface Will {
  topic: string
  payload: string
  qos: Qos
  retain: boolean
}

/** What an expect-messages step wants of one PUBLISH; absent fields are not checked. */
export interface ExpectedMessage {
  topic?: string
  payload?: string
  qos?: Qos
  dup?: boolean
  retain?: boolean
  /** Remember this message's packet id under a name. */
  saveId?: string
  /** The packet id must equal the one saved under this name. */
  sameIdAs?: string
}

export type Action =
  | {
      action: 'connect'
      clientId: string
      clean: boolean
      keepalive: number
      will: Will | null
      username: string | null
      password: string | null
      protocolVersion: 3 | 4
      expect: { sessionPresent: boolean | null; returnCode: number }
    }
  | {
      action: 'subscribe'
      topics: { topic: string; qos: Qos }[]
      expect: { granted: number[] | null }
    }
  | { action: 'unsubscribe'; topics: string[] }
  | { action: 'publish'; topic: string; payload: string; qos: Qos; retain: boolean; dup: boolean }
  | { action: 'disconnect' }
  | { action: 'drop' }
  | { action: 'stop-acknowledging'; packets: AckPacket[] }
  | { action: 'wait'; until: 'closed' | 'pong'; timeoutMs: number }
  | { action: 'expect-messages'; messages: ExpectedMessage[]; ordered: boolean; timeoutMs: number }
  | { action: 'expect-pubrel'; sameIdAs: string | null; timeoutMs: number }
  | { action: 'expect-nothing'; windowMs: number }
  | { action: 'expect-closed'; timeoutMs: number }

export type Step = StepPlace & Action
export type ActionName = Action['action']

export const ACTION_NAMES: readonly ActionName[] = [
  'connect',
  'subscribe',
  'unsubscribe',
  'publish',
  'disconnect',
  'drop',
  'stop-acknowledging',
  'wait',
  'expect-messages',
  'expect-pubrel',
  'expect-nothing',
  'expect-closed',
]

/** The window `expect-nothing` listens for when a step gives none, in ms. */
export const DEFAULT_NOTHING_WINDOW_MS = 300
/** How long a step waits for a packet or condition when neither it nor the scenario says. */
export const DEFAULT_TIMEOUT_MS = 3000
