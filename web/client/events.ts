import type { SessionEvent } from '../../broker/inspector/types.ts'

/** One line of text for a session event (shown with textContent). */
export function describe(event: SessionEvent): string {
  switch (event.type) {
    case 'connect':
      return `connect (clean=${event.clean}, session present=${event.sessionPresent}${event.remoteAddress === null ? '' : `, from ${event.remoteAddress}`})`
    case 'disconnect':
      return `disconnect (${event.reason}${event.takenOverBy ? ` by ${event.takenOverBy}` : ''})`
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
