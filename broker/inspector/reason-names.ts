import type { ServerDisconnect } from './types.ts'

/**
 * The names of the MQTT 5 DISCONNECT reason codes [MQTT-3.14.2.1], as the
 * spec's table writes them: the inspector shows a server DISCONNECT by name.
 */
const DISCONNECT_REASONS: Readonly<Record<number, string>> = {
  0: 'Normal disconnection',
  4: 'Disconnect with Will Message',
  128: 'Unspecified error',
  129: 'Malformed Packet',
  130: 'Protocol Error',
  131: 'Implementation specific error',
  135: 'Not authorized',
  137: 'Server busy',
  139: 'Server shutting down',
  141: 'Keep Alive timeout',
  142: 'Session taken over',
  143: 'Topic Filter invalid',
  144: 'Topic Name invalid',
  147: 'Receive Maximum exceeded',
  148: 'Topic Alias invalid',
  149: 'Packet too large',
  150: 'Message rate too high',
  151: 'Quota exceeded',
  152: 'Administrative action',
  153: 'Payload format invalid',
  154: 'Retain not supported',
  155: 'QoS not supported',
  156: 'Use another server',
  157: 'Server moved',
  158: 'Shared Subscriptions not supported',
  159: 'Connection rate exceeded',
  160: 'Maximum connect time',
  161: 'Subscription Identifiers not supported',
  162: 'Wildcard Subscriptions not supported',
}

/** `0x8E` → `{ code: 142, name: 'Session taken over' }`; a code outside the table is named by its hex. */
export function serverDisconnect(code: number): ServerDisconnect {
  const hex = `0x${code.toString(16).toUpperCase().padStart(2, '0')}`
  return { code, name: DISCONNECT_REASONS[code] ?? `reason ${hex}` }
}
