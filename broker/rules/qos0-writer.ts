import mqtt from 'mqtt-packet'
import type { AedesClientInternals, DeliveryPacket } from '../aedes/internals.ts'

/** What aedes keeps on a client that the QoS 0 writer reads. */
interface WritableClient {
  id: string
  conn: NodeJS.WritableStream & { destroyed?: boolean; writableNeedDrain?: boolean }
  connecting: boolean
  connected: boolean
  closed: boolean
  /** aedes' per-connection dedupe: the highest broker counter seen per origin broker. */
  duplicates: Record<string, number>
}

/**
 * Writes a QoS 0 message to the connection now, as aedes' deliver0
 * (client.js) would one event-loop turn later: the same no-local rule,
 * dedupe by origin and `authorizeForward`. Written in the turn it arrives
 * in, every message of a turn for one connection leaves in one `writev`
 * (mqtt-packet corks the stream until the next tick); aedes' two
 * setImmediates per delivery made a fan-out a syscall per subscriber per
 * message. Returns false when the socket's buffer is full.
 */
export function writeQos0(client: AedesClientInternals, packet: DeliveryPacket): boolean {
  const c = client as unknown as WritableClient
  if ((packet as { nl?: boolean }).nl && (packet as { clientId?: string }).clientId === c.id) {
    return true
  }
  if (!firstSeen(c, packet)) return true
  const forwarded = client.broker.authorizeForward(client, packet as never) as
    | DeliveryPacket
    | null
    | undefined
  if (!forwarded) return true
  if (!(c.connecting || c.connected) || c.closed || c.conn.destroyed) return true
  return mqtt.writeToStream(
    {
      cmd: 'publish',
      topic: forwarded.topic,
      payload: forwarded.payload,
      qos: 0,
      retain: forwarded.retain,
      dup: false,
    } as mqtt.IPublishPacket,
    c.conn,
  )
}

/** aedes' `dedupe` (client.js): false for a message this connection already got. */
function firstSeen(client: WritableClient, packet: DeliveryPacket): boolean {
  const id = packet.brokerId
  if (!id) return true
  const counter = packet.brokerCounter ?? 0
  if ((client.duplicates[id] ?? 0) >= counter) return false
  client.duplicates[id] = counter
  return true
}
