import type {
  ConnectRefused,
  DisconnectReason,
  SessionEvent,
  SessionEventType,
} from '../inspector/types.ts'
import type { LogFields, LogLevel } from './logger.ts'

/** One log line of a client event: its message (the text format) and fields (the JSON format). */
export interface ClientLine {
  message: string
  fields: LogFields
}

// the events an operator follows at info; the traffic of each session at debug
const LEVELS: Record<SessionEventType, LogLevel | null> = {
  connect: 'info',
  disconnect: 'info',
  will: 'info',
  expired: 'info',
  deleted: 'info',
  subscribe: 'debug',
  unsubscribe: 'debug',
  queued: 'debug',
  delivered: 'debug',
  dropped: 'debug',
  // a refused CONNECT is logged once, from its CONNACK (refusalLine)
  refused: null,
}

/** The level a session event is logged at; null: not logged. */
export function levelOf(event: SessionEvent): LogLevel | null {
  if (event.type !== 'disconnect') return LEVELS[event.type]
  // closes the broker decided on for a fault; one per client at shutdown is noise
  if (event.reason === 'slow-consumer' || event.reason === 'protocol-error') return 'warn'
  return event.reason === 'shutdown' ? 'debug' : 'info'
}

const REASONS: Record<Exclude<DisconnectReason, 'takeover' | 'slow-consumer'>, string> = {
  client: 'it sent DISCONNECT',
  network: 'the connection closed without DISCONNECT',
  keepalive: 'nothing received within 1.5 times its keepalive',
  'protocol-error': 'protocol error',
  admin: 'by an operator',
  shutdown: 'the broker is shutting down',
}

/** The bounds a connection that stopped reading is closed past (broker/rules/delivery.ts). */
export interface PendingLimits {
  maxPendingDeliveries: number
  maxPendingBytes: number
}

function pendingLimitsText({ maxPendingDeliveries, maxPendingBytes }: PendingLimits): string {
  const over = [
    maxPendingBytes > 0 ? `${maxPendingBytes} bytes` : null,
    maxPendingDeliveries > 0 ? `${maxPendingDeliveries} deliveries` : null,
  ].filter((limit) => limit !== null)
  return over.length === 0 ? 'deliveries' : `over ${over.join(' or ')}`
}

/** The line of a session event (see {@link levelOf} for which are logged). */
export function eventLine(
  clientId: string,
  event: SessionEvent,
  limits: PendingLimits,
): ClientLine {
  const id = shown(clientId)
  const base = { event: event.type, clientId }
  switch (event.type) {
    case 'connect': {
      const { remoteAddress, clean, sessionPresent, keepalive, protocolVersion, username } = event
      const user = username === null ? '' : `, user ${shown(username)}`
      return {
        message: `client ${id} connected from ${remoteAddress ?? 'an unknown address'} (clean=${bit(clean)}, session present=${bit(sessionPresent)}, keepalive ${keepalive ?? '?'}s, ${protocol(protocolVersion)}${user})`,
        fields: {
          ...base,
          address: remoteAddress,
          clean,
          sessionPresent,
          keepalive,
          protocolVersion,
          username,
        },
      }
    }
    case 'disconnect': {
      const { reason } = event
      const fields = { ...base, reason }
      if (reason === 'takeover') {
        const by = event.takenOverBy
        return {
          message: `client ${id} already connected, closing old connection${by ? `: new connection from ${by}` : ''}`,
          fields: { ...fields, takenOverBy: by },
        }
      }
      const why =
        reason === 'slow-consumer'
          ? `slow consumer: it stopped reading, ${pendingLimitsText(limits)} waiting to be written`
          : REASONS[reason]
      return { message: `client ${id} disconnected (${reason}): ${why}`, fields }
    }
    case 'will': {
      const { topic, qos, retain, bytes } = event
      return {
        message: `client ${id}: Will published to ${shown(topic)} (QoS ${qos}${retain ? ', retained' : ''}, ${bytes} B)`,
        fields: { ...base, topic, qos, retain, bytes },
      }
    }
    case 'expired':
      return {
        message: `session ${id} expired after ${Math.round(event.idleMs / 1000)} s offline`,
        fields: { ...base, idleMs: event.idleMs },
      }
    case 'deleted':
      return { message: `session ${id} deleted by an operator`, fields: { ...base, by: event.by } }
    case 'subscribe':
      return {
        message:
          event.qos === 128
            ? `client ${id}: subscription to ${shown(event.topic)} refused (SUBACK 0x80)`
            : `client ${id} subscribed to ${shown(event.topic)} (QoS ${event.qos})`,
        fields: { ...base, topic: event.topic, qos: event.qos },
      }
    case 'unsubscribe':
      return {
        message: `client ${id} unsubscribed from ${shown(event.topic)}`,
        fields: { ...base, topic: event.topic },
      }
    case 'queued':
    case 'delivered':
    case 'dropped': {
      const what = event.type === 'dropped' ? `dropped (${event.why})` : event.type
      const qos = 'qos' in event ? event.qos : null
      return {
        message: `client ${id}: message on ${shown(event.topic)} ${what}${qos === null ? '' : ` (QoS ${qos})`}`,
        fields: {
          ...base,
          topic: event.topic,
          qos,
          ...(event.type === 'dropped' ? { reason: event.why } : {}),
        },
      }
    }
    case 'refused':
      return {
        message: `client ${id} refused: ${event.reason}`,
        fields: { ...base, reason: event.reason, username: event.username },
      }
  }
}

// [MQTT-3.2.2-5]: the return codes of MQTT 3.1.1's Table 3.1
const RETURN_CODES = [
  '',
  'unacceptable protocol version',
  'identifier rejected',
  'server unavailable',
  'bad user name or password',
  'not authorized',
]

/** The line of a refused CONNECT (logged at warn). */
export function refusalLine(refused: ConnectRefused): ClientLine {
  const { clientId, remoteAddress, returnCode, reason, username, clean } = refused
  const name = RETURN_CODES[returnCode]
  const who = clientId === null ? 'a client without ClientID' : `client ${shown(clientId)}`
  const why = reason === '' || words(reason) === words(name) ? '' : ` (${reason})`
  return {
    message: `${who} refused from ${remoteAddress ?? 'an unknown address'}: CONNACK 0x0${returnCode} ${name}${why}`,
    fields: {
      event: 'refused',
      clientId,
      address: remoteAddress,
      returnCode,
      reason,
      username,
      clean,
    },
  }
}

// aedes' own reasons are the code's name, spelt its way ("bad user name or password")
function words(text: string): string {
  return text.toLowerCase().replaceAll(' ', '')
}

function bit(flag: boolean): string {
  return flag ? '1' : '0'
}

function protocol(version: number | null): string {
  if (version === 4) return 'MQTT 3.1.1'
  if (version === 3) return 'MQTT 3.1'
  return `protocol level ${version ?? '?'}`
}

// ClientIDs, topics and usernames are the clients' own text: a line break or
// a control character in one must not make a line of its own in the text log
const PLAIN = /^[^\p{C}\p{Z}"\\]+$/u
const UNSAFE = /[\p{C}\p{Z}"\\]/gu

/** Client text as it is when plain, else quoted with every unsafe character escaped. */
export function shown(text: string): string {
  if (PLAIN.test(text)) return text
  const escaped = text.replace(UNSAFE, (c) => {
    if (c === ' ') return c
    if (c === '"' || c === '\\') return `\\${c}`
    return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
  })
  return `"${escaped}"`
}
