import {
  type Client,
  DISCONNECT_WITH_WILL,
  dropWill,
  onIncomingPacket,
  sentDisconnect,
  type Will,
  willDelayOf,
  willOf,
} from '../aedes/connection.ts'
import {
  type Aedes,
  deleteStoredWill,
  liveConnections,
  publishAsBroker,
} from '../aedes/instance.ts'
import type { ConnectStage } from '../aedes/stages.ts'
import type { SessionStore } from '../store/types.ts'
import type { SessionPersistence } from './persistence.ts'
import { type DelayedWills, dueOnAdoption } from './will-delay.ts'

/**
 * Publishes the Wills a previous run of this broker left in the store: their
 * connections ended when that process died, without DISCONNECT [MQTT-3.1.2-8].
 * aedes 1.2 only publishes them from a timer (every 4 heartbeats), and never
 * when the broker id repeats (aedes issue 754). Runs before listeners open, so
 * no client of this run can own one of them yet. Returns how many were sent.
 */
export async function publishOrphanedWills(
  aedes: Aedes,
  store: SessionStore,
  delayed?: DelayedWills,
  now = Date.now(),
) {
  let published = 0
  for await (const will of store.streamWill({ [aedes.id]: Date.now() })) {
    // MQTT 5 Will Delay: it waits from now (or its due time), then DelayedWills publishes it
    if (delayed && dueOnAdoption(will, now) !== undefined) {
      await delayed.adopt(will)
      continue
    }
    await publishAsBroker(aedes, will)
    await store.delWill({ id: will.clientId, brokerId: will.brokerId })
    published++
  }
  return published
}

/**
 * On shutdown the broker closes every connection without a DISCONNECT from
 * the client, so each Will is due [MQTT-3.1.2-8] (an MQTT 5 Will with a
 * delay is stored with its due time instead, for the next run to publish). aedes would publish them
 * from `close()` without waiting for them to be stored; here each is published
 * and committed first, then dropped from the client so aedes does not repeat it.
 * `onPublished` hears of each (the inspector records it).
 */
export async function publishWillsOnShutdown(
  aedes: Aedes,
  onPublished: (client: Client, will: Will) => void = () => {},
  delayed?: DelayedWills,
): Promise<void> {
  const pending: Promise<void>[] = []
  for (const client of liveConnections(aedes)) {
    const will = willOf(client)
    if (!will || sentDisconnect(client)) continue
    dropWill(client)
    // MQTT 5: a delayed Will waits out its delay, across the restart [MQTT-3.1.3-9]
    const delay = willDelayOf(client, will)
    if (delay > 0 && delayed) {
      pending.push(delayed.delay(client, will, delay))
      continue
    }
    pending.push(
      publishAsBroker(aedes, will).then(() => {
        onPublished(client, will)
        // by the connection, which is still live (see SessionPersistence.delWill)
        return deleteStoredWill(aedes, client)
      }),
    )
  }
  await Promise.all(pending)
}

/**
 * [MQTT-3.14.4-3]: after DISCONNECT the Will is gone, also for a broker that
 * crashes a moment later. aedes closes the socket as it reads the DISCONNECT
 * (and the socket half-closes by itself when the client's FIN follows) and
 * deletes the stored Will afterwards without waiting, so a client could see
 * its connection closed while its Will is still stored, to be published
 * after a restart. Here the deletion is committed before aedes sees the packet.
 */
export function willDiscardedOnDisconnectStage(persistence: SessionPersistence): ConnectStage {
  return { read: (client) => discardWillBeforeClosing(client, persistence) }
}

function discardWillBeforeClosing(client: Client, persistence: SessionPersistence): void {
  onIncomingPacket(
    client,
    (packet) => {
      if (packet.cmd !== 'disconnect' || !willOf(client)) return
      // MQTT 5: "Disconnect with Will Message" keeps it [MQTT-3.14.4-3]
      if (packet.reasonCode === DISCONNECT_WITH_WILL) return
      // by the connection itself: it is still live here (see SessionPersistence.delWill);
      // should this fail, aedes deletes the Will again as it closes the connection
      persistence.delWill(client).catch(() => {})
      persistence.store.commitNow()
    },
    { first: true },
  )
}
