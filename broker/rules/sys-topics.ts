import type { ForwardStage } from '../aedes/stages.ts'

/**
 * Clients see SessionLab's `$SYS` topics only: `$SYS/broker/...` and, in a
 * cluster, each node's own counters under `$SYS/<node>/broker/...`
 * (broker/sys.ts). The rest of `$SYS/` is the brokers' traffic among
 * themselves: aedes' `$SYS/<broker id>/heartbeat`, `.../new/clients`,
 * `.../new/subscribes` and the like, the cluster's remote commands
 * (`$SYS/<node>/sessionlab/...`) and the store's subscription notices. Those
 * reach their listeners on aedes' router (broker/cluster/, store/redis/),
 * which this forward stage does not stand between; a `$SYS/#` subscriber
 * would only get noise.
 */
export const hideInternalSysTopics: ForwardStage = (_client, packet) =>
  isInternalSysTopic(packet.topic) ? null : packet

export function isInternalSysTopic(topic: string): boolean {
  if (!topic.startsWith('$SYS/')) return false
  const [, second, third] = topic.split('/', 3)
  return second !== 'broker' && third !== 'broker'
}
