import type { ServerDisconnect, SessionEvent } from '../../broker/inspector/types.ts'

/** One line of text for a session event (shown with textContent). */
export function describe(event: SessionEvent): string {
  switch (event.type) {
    case 'connect': {
      const session =
        event.cleanStart === undefined
          ? `clean=${event.clean}`
          : `MQTT 5, Clean Start=${event.cleanStart ? 1 : 0}, Session Expiry ${event.sessionExpiry ?? 0} s`
      return `connect (${session}, session present=${event.sessionPresent}${event.remoteAddress === null ? '' : `, from ${event.remoteAddress}`})`
    }
    case 'disconnect':
      return `disconnect (${event.reason}${event.takenOverBy ? ` by ${event.takenOverBy}` : ''}${event.serverDisconnect ? `; server sent DISCONNECT ${reasonName(event.serverDisconnect)}` : ''})`
    case 'subscribe':
      return `subscribe ${event.topic} (QoS ${event.qos})`
    case 'unsubscribe':
      return `unsubscribe ${event.topic}`
    case 'queued':
      return `queued ${event.topic} (QoS ${event.qos}, ${event.bytes} B)`
    case 'dropped':
      return `dropped ${event.topic} (${event.why}, ${event.bytes} B)`
    case 'delivered':
      return `delivered ${event.topic} (QoS ${event.qos})`
    case 'expired':
      return `expired after ${Math.round(event.idleMs / 1000)} s offline`
    case 'deleted':
      return `deleted by ${event.by}`
    case 'will':
      return `Will published to ${event.topic} (QoS ${event.qos}${event.retain ? ', retained' : ''}, ${event.bytes} B)`
    default:
      // an event type this page does not know yet: its name and fields as text
      return JSON.stringify(event)
  }
}

/** An MQTT 5 reason code by name: "0x8E Session taken over". */
export function reasonName(reason: ServerDisconnect): string {
  return `0x${reason.code.toString(16).toUpperCase().padStart(2, '0')} ${reason.name}`
}
