import type { AedesInternals, WillPacket } from '../aedes/internals.ts'
import type { SessionStore } from '../store/types.ts'

/**
 * Publishes the Wills a previous run of this broker left in the store: their
 * connections ended when that process died, without DISCONNECT [MQTT-3.1.2-8].
 * aedes 1.2 only publishes them from a timer (every 4 heartbeats), and never
 * when the broker id repeats (aedes issue 754). Runs before listeners open, so
 * no client of this run can own one of them yet. Returns how many were sent.
 */
export async function publishOrphanedWills(aedes: AedesInternals, store: SessionStore) {
  let published = 0
  for await (const will of store.streamWill({ [aedes.id]: Date.now() })) {
    const packet = will as WillPacket & { clientId: string; brokerId: string }
    await publish(aedes, {
      topic: packet.topic,
      payload: packet.payload,
      qos: packet.qos,
      retain: packet.retain,
    })
    await store.delWill({ id: packet.clientId, brokerId: packet.brokerId })
    published++
  }
  return published
}

/**
 * On shutdown the broker closes every connection without a DISCONNECT from
 * the client, so each Will is due [MQTT-3.1.2-8]. aedes would publish them
 * from `close()` without waiting for them to be stored; here each is published
 * and committed first, then dropped from the client so aedes does not repeat it.
 */
export async function publishWillsOnShutdown(aedes: AedesInternals): Promise<void> {
  const pending: Promise<void>[] = []
  for (const client of Object.values(aedes.clients)) {
    const will = client.will
    if (!will || client._disconnected) continue
    client.will = null
    client._will = null
    pending.push(
      publish(aedes, {
        topic: will.topic,
        payload: will.payload,
        qos: will.qos,
        retain: will.retain,
      }).then(() =>
        // by the connection, which is still live (see SessionPersistence.delWill)
        aedes.persistence.delWill(client).then(() => undefined),
      ),
    )
  }
  await Promise.all(pending)
}

/** Publishes a Will through aedes, as the broker's own message; resolves once aedes has taken it. */
export function publish(aedes: AedesInternals, will: WillPacket): Promise<void> {
  return new Promise((resolve, reject) => {
    aedes.publish({ cmd: 'publish', dup: false, ...will } as never, (err?: Error) =>
      err ? reject(err) : resolve(),
    )
  })
}
