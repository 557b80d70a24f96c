import { type Client, dropWill, otherHolderOf, sendServerDisconnect } from '../aedes/connection.ts'
import { ReasonCode } from '../aedes/reason-codes.ts'
import type { ConnectStage } from '../aedes/stages.ts'
import type { Config } from '../config.ts'

/**
 * [MQTT-3.1.4-2]: a CONNECT with a ClientID already connected takes the
 * session over and the old connection is closed. Its Will follows
 * [MQTT-3.1.2-8] unless the operator chose Mosquitto's behaviour
 * (`--takeover-will suppress`). This is the one place that decides it: a
 * takeover on this node (the stage below) and one from another cluster node
 * (broker/cluster/) both call it before the old connection closes.
 */
export function takeOver(old: Client, config: Pick<Config, 'takeoverWill'>): void {
  if (config.takeoverWill === 'suppress') dropWill(old)
}

/**
 * Another cluster node accepted a CONNECT of this connection's ClientID:
 * the same decision as {@link takeOver}, and an MQTT 5 client is told with
 * DISCONNECT 0x8E (Session taken over) [MQTT-3.1.4-3], as aedes tells it on
 * one node (`registerClient`); across nodes aedes only closes the connection
 * (aedes.js `closeSameClients`), which it does next.
 */
export function takenOverElsewhere(old: Client, config: Pick<Config, 'takeoverWill'>): void {
  takeOver(old, config)
  sendServerDisconnect(old, ReasonCode.sessionTakenOver)
}

/** The CONNECT stage: an accepted CONNECT whose ClientID is live on this node takes it over. */
export function takeoverStage(
  config: Pick<Config, 'takeoverWill'>,
  onTakeover: (old: Client, next: Client) => void,
): ConnectStage {
  return {
    accept(client) {
      const old = otherHolderOf(client)
      if (!old) return // aedes closes `old` next
      takeOver(old, config)
      onTakeover(old, client)
    },
  }
}
