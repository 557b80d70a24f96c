import { type Aedes, publishAsBroker } from '../aedes/instance.ts'
import type { SessionPersistence } from '../rules/persistence.ts'
import { commitPublish } from '../rules/publish.ts'
import type { StoredPacket } from '../store/types.ts'
import type { OperatorMessage } from './message.ts'

/**
 * Publishes an operator's message as the broker's own, routed, queued and
 * retained like a client's. aedes routes a message of its own without its
 * publish hook, where the publish stages commit a client's message before
 * PUBACK; so the commit of those stages (`commitPublish`) runs here first:
 * QoS 1/2 is committed for every matching persistent session (within its
 * queue caps, at the QoS each is owed) and in the retained store, QoS 0 is
 * queued for offline sessions with `--queue-qos0`. Then aedes routes it under
 * the origin it was committed with, so it skips its own enqueue, delivers it
 * to the connected subscribers and stores it as retained. Resolves once all
 * of that is done: a caller that answers then answers after the commit.
 */
export async function publishAsOperator(
  deps: { aedes: Aedes; persistence: SessionPersistence },
  message: OperatorMessage,
): Promise<void> {
  const { topic, qos, retain } = message
  const payload = Buffer.from(message.payload, 'utf8')
  const packet: StoredPacket = { cmd: 'publish', topic, payload, qos, retain, dup: false }
  await commitPublish(deps.persistence, null, packet)
  // stamped by the commit; left unstamped (aedes stamps it) when nothing was committed
  const { brokerId, brokerCounter } = packet
  const origin =
    brokerId !== undefined && brokerCounter !== undefined ? { brokerId, brokerCounter } : undefined
  await publishAsBroker(deps.aedes, { topic, payload, qos, retain }, origin)
}
