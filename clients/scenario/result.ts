import type { ActionName, Qos } from './types.ts'

/** A PUBLISH as a step saw it, topic mapped back out of the run's namespace. */
export interface ReceivedMessage {
  topic: string
  payload: string
  qos: Qos
  dup: boolean
  retain: boolean
  /** Present when the step asked for `sameIdAs`: whether the packet id matched. */
  sameId?: boolean
  /**
   * MQTT 5 properties of the PUBLISH. In an observation only those the step
   * names are kept, and a `messageExpiryInterval` checked against bounds is
   * kept as `"1..10"` when it lies within them, so runs compare without timing.
   */
  messageExpiryInterval?: number | string | null
  subscriptionIdentifier?: number | number[] | null
  contentType?: string | null
  responseTopic?: string | null
  correlationData?: string | null
  payloadFormatIndicator?: boolean | null
  userProperties?: Record<string, string | string[]> | null
}

/**
 * What a step saw of the broker, independent of packet ids, assigned
 * ClientIDs and timing, so two brokers can be compared field by field.
 */
export type Observation =
  | {
      connack: {
        returnCode: number
        sessionPresent: boolean
        /** The CONNACK properties the step expects, as received. */
        properties?: Record<string, unknown>
      } | null
    }
  | { ack: { reasonCode: number } | null }
  | { disconnect: { reasonCode: number } | null }
  | { granted: number[] }
  | { received: ReceivedMessage[] }
  | { pubrel: { sameId: boolean | null } | null }
  | { closed: boolean }
  | Record<string, never>

export interface StepResult {
  index: number
  line: number
  action: ActionName
  client: string
  /** Every expectation of the step held and nothing failed. */
  passed: boolean
  /** How many expectations the step checked. */
  expectations: number
  /** The expectations that did not hold, in words. */
  failures: string[]
  observed: Observation
  /** A failure to carry the step out at all (e.g. TIMEOUT, CONNECTION_CLOSED). */
  error: { code: string; message: string } | null
  durationMs: number
}

export interface ScenarioResult {
  id: string
  file: string
  name: string
  rule: string | null
  broker: string
  passed: boolean
  expectations: { checked: number; failed: number }
  /** Steps the scenario has; `steps` is shorter when the run stopped early (broker unreachable). */
  stepCount: number
  steps: StepResult[]
  durationMs: number
}

/** One scenario's run against one broker per URL, in the order given. */
export interface RunReport {
  broker: string
  passed: boolean
  results: ScenarioResult[]
}
