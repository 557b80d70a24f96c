import type { Config } from '../config.ts'
import { type ErrorCode, SessionLabError } from '../errors.ts'

/** A message an operator publishes from the HTTP API or the dashboard. */
export interface OperatorMessage {
  topic: string
  /** UTF-8 text; sent as its bytes. */
  payload: string
  qos: 0 | 1 | 2
  retain: boolean
}

/** The limits a client's PUBLISH is held to, which the operator's is held to as well. */
export type MessageLimits = Pick<Config, 'maxTopicLength' | 'maxTopicLevels' | 'maxPacketSize'>

const FIELDS = ['topic', 'payload', 'qos', 'retain']
/** Topics that belong to the broker: `$SYS/` [MQTT-4.7.2-1] and SessionLab's own markers. */
const RESERVED = ['$SYS/', '$SessionLab/']
// In `u` mode a surrogate pair is one code point: only a lone surrogate matches.
const LONE_SURROGATE = /\p{Surrogate}/u

/**
 * Parses the JSON body of an operator's publish, `{ topic, payload, qos?,
 * retain? }` (qos 0 and retain false when absent). Untrusted input stops
 * here: each field that is wrong is refused with a code naming it.
 *
 * @throws SessionLabError BAD_REQUEST (not an object, an unknown field),
 *   BAD_TOPIC, BAD_PAYLOAD, BAD_QOS, BAD_RETAIN
 */
export function parseOperatorMessage(body: unknown, limits: MessageLimits): OperatorMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SessionLabError(
      'BAD_REQUEST',
      'the body must be a JSON object { "topic", "payload", "qos", "retain" }',
    )
  }
  const fields = body as Record<string, unknown>
  for (const name of Object.keys(fields)) {
    if (!FIELDS.includes(name)) {
      throw new SessionLabError(
        'BAD_REQUEST',
        `unknown field ${JSON.stringify(name.slice(0, 40))} (known: ${FIELDS.join(', ')})`,
      )
    }
  }
  const topic = parseTopic(fields.topic, limits)
  const qos = parseQos(fields.qos)
  const retain = fields.retain ?? false
  if (typeof retain !== 'boolean') refuse('BAD_RETAIN', 'retain must be true or false')
  const payload = fields.payload
  if (typeof payload !== 'string') refuse('BAD_PAYLOAD', 'payload must be a string')
  if (LONE_SURROGATE.test(payload)) {
    refuse('BAD_PAYLOAD', 'payload is not valid Unicode text (a lone surrogate)')
  }
  const size = publishSize(Buffer.byteLength(topic), Buffer.byteLength(payload), qos)
  if (size > limits.maxPacketSize) {
    refuse(
      'BAD_PAYLOAD',
      `payload too large: the PUBLISH would be ${size} bytes, over --max-packet-size ${limits.maxPacketSize}`,
    )
  }
  return { topic, payload, qos, retain }
}

function parseTopic(topic: unknown, limits: MessageLimits): string {
  if (typeof topic !== 'string') refuse('BAD_TOPIC', 'topic must be a string')
  if (topic === '') refuse('BAD_TOPIC', 'topic is empty [MQTT-4.7.3-1]')
  if (topic.includes('+') || topic.includes('#')) {
    refuse('BAD_TOPIC', 'topic must not contain the wildcards + or # [MQTT-3.3.2-2]')
  }
  const reserved = RESERVED.find((prefix) => topic.startsWith(prefix))
  if (reserved) refuse('BAD_TOPIC', `${reserved} topics are reserved to the broker`)
  if (topic.includes('\u0000')) refuse('BAD_TOPIC', 'topic must not contain U+0000 [MQTT-4.7.3-2]')
  if (LONE_SURROGATE.test(topic)) {
    refuse('BAD_TOPIC', 'topic is not valid UTF-8 (a lone surrogate) [MQTT-1.5.3-1]')
  }
  const bytes = Buffer.byteLength(topic)
  if (bytes > limits.maxTopicLength) {
    refuse('BAD_TOPIC', `topic is ${bytes} bytes, over --max-topic-length ${limits.maxTopicLength}`)
  }
  const levels = topic.split('/').length
  if (levels > limits.maxTopicLevels) {
    refuse(
      'BAD_TOPIC',
      `topic has ${levels} levels, over --max-topic-levels ${limits.maxTopicLevels}`,
    )
  }
  return topic
}

function parseQos(qos: unknown): 0 | 1 | 2 {
  if (qos === undefined) return 0
  if (qos === 0 || qos === 1 || qos === 2) return qos
  return refuse('BAD_QOS', `qos must be 0, 1 or 2, got ${String(JSON.stringify(qos)).slice(0, 40)}`)
}

/** A message in one line for the audit log: topic, QoS, retain, size; never the payload. */
export function describeOperatorMessage(message: OperatorMessage): string {
  const retained = message.retain ? ', retained' : ''
  const bytes = Buffer.byteLength(message.payload)
  return `${JSON.stringify(message.topic)} (QoS ${message.qos}${retained}, ${bytes} bytes)`
}

/**
 * The size of the PUBLISH on the wire, as `--max-packet-size` counts it: the
 * fixed header (its Remaining Length 1-4 bytes [MQTT-2.2.3]), the topic with
 * its length, the packet id at QoS 1/2, the payload.
 */
export function publishSize(topicBytes: number, payloadBytes: number, qos: 0 | 1 | 2): number {
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4
  return 1 + lengthBytes + remaining
}

function refuse(code: ErrorCode, reason: string): never {
  throw new SessionLabError(code, reason)
}
