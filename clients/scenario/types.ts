/**
 * A scenario as the runner sees it, after `load.ts` has parsed and checked
 * a file: every default filled in, every step numbered and placed on its
 * line. The file format itself is described by `clients/scenarios/schema.json`.
 */

export type Qos = 0 | 1 | 2
export type AckPacket = 'puback' | 'pubrec' | 'pubcomp'
/** MQTT 3.1 (3), 3.1.1 (4) or 5. */
export type Protocol = 3 | 4 | 5
/** MQTT 5 user properties: name to value (a list when a name repeats). */
export type UserProperties = Record<string, string | string[]>

export interface Scenario {
  /** The file's name without directory and extension, e.g. `clean-session-discards-state`. */
  id: string
  file: string
  name: string
  /** The session rule it exercises, e.g. `[MQTT-3.1.2-6] CleanSession=1 discards the session`. */
  rule: string | null
  /** Default wait for a packet or condition, in ms. */
  timeoutMs: number
  /** The protocol of every connect step that does not give its own. */
  protocol: Protocol
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
  /** MQTT 5 Will properties (`willDelayInterval`, `messageExpiryInterval`, ...). */
  properties: WillProperties | null
}

/** The MQTT 5 properties a PUBLISH (or a Will) can carry, as the file names them. */
export interface MessageProperties {
  payloadFormatIndicator?: boolean
  messageExpiryInterval?: number
  contentType?: string
  /** A topic of the scenario's, put in its namespace like every topic. */
  responseTopic?: string
  /** Sent as the UTF-8 bytes of the string. */
  correlationData?: string
  userProperties?: UserProperties
}

export interface WillProperties extends MessageProperties {
  willDelayInterval?: number
}

export interface PublishProperties extends MessageProperties {
  topicAlias?: number
}

/** MQTT 5 CONNECT properties. */
export interface ConnectProperties {
  sessionExpiryInterval?: number
  receiveMaximum?: number
  maximumPacketSize?: number
  topicAliasMaximum?: number
  requestResponseInformation?: boolean
  requestProblemInformation?: boolean
  userProperties?: UserProperties
}

/** A number, or bounds it must lie within (both inclusive). */
export type NumberExpectation = number | { min?: number; max?: number }

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
  /** MQTT 5: the forwarded Message Expiry Interval; `null`: none. */
  messageExpiryInterval?: NumberExpectation | null
  /** MQTT 5: the Subscription Identifier(s) the broker attached; `null`: none. */
  subscriptionIdentifier?: number | number[] | null
  contentType?: string
  responseTopic?: string
  correlationData?: string
  payloadFormatIndicator?: boolean
  userProperties?: UserProperties
}

/** One filter of a SUBSCRIBE with its options (the MQTT 5 ones need protocol 5). */
export interface Subscription {
  topic: string
  qos: Qos
  noLocal?: boolean
  retainAsPublished?: boolean
  retainHandling?: 0 | 1 | 2
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
      protocol: Protocol
      properties: ConnectProperties | null
      /** `returnCode` (3.1.1) and `reasonCode` (MQTT 5) are one field of the CONNACK. */
      expect: {
        sessionPresent: boolean | null
        returnCode: number
        /** CONNACK properties that must have these values (absent ones: not checked). */
        properties: Record<string, unknown> | null
      }
    }
  | {
      action: 'subscribe'
      topics: Subscription[]
      subscriptionIdentifier: number | null
      userProperties: UserProperties | null
      /** SUBACK return codes (3.1.1) or reason codes (MQTT 5). */
      expect: { granted: number[] | null }
    }
  | { action: 'unsubscribe'; topics: string[] }
  | {
      action: 'publish'
      topic: string
      payload: string
      qos: Qos
      retain: boolean
      dup: boolean
      properties: PublishProperties | null
      /** MQTT 5: the reason codes allowed in the PUBACK (QoS 1) or PUBREC (QoS 2); null: not checked. */
      expect: { reasonCode: number[] | null }
    }
  | { action: 'disconnect'; reasonCode: number | null; sessionExpiryInterval: number | null }
  | { action: 'drop' }
  | { action: 'stop-acknowledging'; packets: AckPacket[] }
  | { action: 'wait'; until: 'closed' | 'pong'; timeoutMs: number }
  /** A fixed wait, for rules that run on the broker's own timer (session expiry, Will delay). */
  | { action: 'wait'; until: 'time'; ms: number }
  | {
      action: 'expect-messages'
      /** The client, or with `anyOf` each client a message may come to. */
      clients: string[]
      messages: ExpectedMessage[]
      ordered: boolean
      timeoutMs: number
    }
  | { action: 'expect-pubrel'; sameIdAs: string | null; timeoutMs: number }
  | { action: 'expect-nothing'; windowMs: number }
  | { action: 'expect-closed'; timeoutMs: number }
  /** MQTT 5: the broker sends DISCONNECT (with `reasonCode`, when given). */
  | { action: 'expect-disconnect'; reasonCode: number | null; timeoutMs: number }

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
  'expect-disconnect',
]

/** The window `expect-nothing` listens for when a step gives none, in ms. */
export const DEFAULT_NOTHING_WINDOW_MS = 300
/** How long a step waits for a packet or condition when neither it nor the scenario says. */
export const DEFAULT_TIMEOUT_MS = 3000
/** The protocol of a scenario that names none: MQTT 3.1.1. */
export const DEFAULT_PROTOCOL: Protocol = 4
