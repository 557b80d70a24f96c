import type { Aedes, Client } from 'aedes'

export type QoS = 0 | 1 | 2

/** Messages counted by QoS since the broker started. */
export type QosCounts = Record<QoS, number>

/**
 * What the connections' writers sent since the broker started, counted from
 * the bytes at the wire (broker/aedes/writer.ts): every packet, whoever wrote
 * it (aedes' handlers, the QoS 0 fast path, resumed pages); and the bytes
 * they read. One object shared by every connection's writer.
 */
export interface SentCounts {
  /** PUBLISH packets by QoS, redeliveries with DUP=1, retained and resumed ones included. */
  readonly publishes: QosCounts
  /** Packets of every type. */
  packets: number
  /** Bytes handed to the transports. */
  bytes: number
  /** Bytes read from the transports (MQTT bytes: no WebSocket framing, no TLS records). */
  bytesReceived: number
}

export function createSentCounts(): SentCounts {
  return { publishes: { 0: 0, 1: 0, 2: 0 }, packets: 0, bytes: 0, bytesReceived: 0 }
}

export interface Traffic {
  /** Messages accepted from clients (a QoS 2 message once, at PUBREL); Wills included. */
  readonly received: Readonly<QosCounts>
  /** PUBLISH packets written to clients, redeliveries with DUP=1 included. */
  readonly sent: Readonly<QosCounts>
  /** Connections accepted (CONNACK 0) since start. */
  connectionsAccepted(): number
  stop(): void
}

/**
 * Counts messages in and out of aedes. In: aedes' `publish` event for
 * messages with a publishing client (the broker's own `$SYS` publishes have
 * none). Out: what the connections' writers counted into `sent`. And the
 * connections aedes accepted (its `client` event).
 */
export function countTraffic(aedes: Aedes, sent: SentCounts): Traffic {
  const received: QosCounts = { 0: 0, 1: 0, 2: 0 }
  let accepted = 0

  const onPublish = (packet: { qos: number }, client: Client | null) => {
    if (client !== null) received[qosOf(packet.qos)]++
  }
  const onClient = () => {
    accepted++
  }
  aedes.on('publish', onPublish)
  aedes.on('client', onClient)
  return {
    received,
    sent: sent.publishes,
    connectionsAccepted: () => accepted,
    stop() {
      aedes.off('publish', onPublish)
      aedes.off('client', onClient)
    },
  }
}

function qosOf(qos: number): QoS {
  return qos === 1 || qos === 2 ? qos : 0
}
