import type { Aedes, Client } from 'aedes'
import protocol from 'mqtt-packet/constants.js'

export type QoS = 0 | 1 | 2

/** Messages counted by QoS since the broker started. */
export type QosCounts = Record<QoS, number>

export interface Traffic {
  /** Messages accepted from clients (a QoS 2 message once, at PUBREL); Wills included. */
  readonly received: Readonly<QosCounts>
  /** PUBLISH packets written to clients, redeliveries with DUP=1 included. */
  readonly sent: Readonly<QosCounts>
  stop(): void
}

/**
 * PUBLISH fixed-header byte -> QoS. mqtt-packet's `writeToStream`, which aedes
 * uses for every packet it sends, starts each PUBLISH by writing one of these
 * shared one-byte buffers (`constants.js`, `publish()`), and nothing else
 * writes them: seeing one go through a connection's `write` is seeing one
 * PUBLISH of that QoS leave, whichever aedes path sent it (live delivery,
 * resumed queue, retained message, redelivery).
 */
const publishHeaders = new Map<Buffer, QoS>()
for (const qos of [0, 1, 2] as const) {
  for (const byDup of protocol.PUBLISH_HEADER[qos] ?? []) {
    for (const header of byDup) publishHeaders.set(header, qos)
  }
}

/**
 * Counts messages in and out of aedes. In: aedes' `publish` event for
 * messages with a publishing client (the broker's own `$SYS` publishes have
 * none). Out: see {@link publishHeaders}; each connection's `write` is
 * wrapped when aedes registers the client, before anything is sent to it.
 */
export function countTraffic(aedes: Aedes): Traffic {
  const received: QosCounts = { 0: 0, 1: 0, 2: 0 }
  const sent: QosCounts = { 0: 0, 1: 0, 2: 0 }

  const onPublish = (packet: { qos: number }, client: Client | null) => {
    if (client !== null) received[qosOf(packet.qos)]++
  }
  const onClient = (client: Client) => {
    const conn = client.conn as unknown as { write: (...args: unknown[]) => boolean }
    const write = conn.write
    conn.write = function countedWrite(this: unknown, ...args: unknown[]) {
      const qos = publishHeaders.get(args[0] as Buffer)
      if (qos !== undefined) sent[qos]++
      return write.apply(this, args)
    }
  }
  aedes.on('publish', onPublish)
  aedes.on('client', onClient)
  return {
    received,
    sent,
    stop() {
      aedes.off('publish', onPublish)
      aedes.off('client', onClient)
    },
  }
}

function qosOf(qos: number): QoS {
  return qos === 1 || qos === 2 ? qos : 0
}
