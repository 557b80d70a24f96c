import type { Aedes } from 'aedes'
import type { BrokerStats } from './metrics/stats.ts'

/** The timer `$SYS` updates run on; tests pass a manual one. */
export interface SysTimer {
  setInterval(tick: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

const realTimer: SysTimer = {
  setInterval: (tick, ms) => setInterval(tick, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
}

/**
 * The `$SYS` topics, named as Mosquitto names them (see its mosquitto(8) man
 * page) so that existing dashboards find them. Payloads are decimal text.
 * In a cluster (`node` set) the session counts are the cluster's, the same
 * from every node; this node's own counters go under `$SYS/<node>/broker/`
 * (aedes' per-node `$SYS/<id>/` space) so that nodes do not overwrite each
 * other's retained values.
 */
export async function sysValues(
  stats: BrokerStats,
  node?: string,
): Promise<Record<string, string>> {
  const s = await stats.sessions()
  const sum = (counts: BrokerStats['sent']) => String(counts[0] + counts[1] + counts[2])
  const own = node === undefined ? '$SYS/broker' : `$SYS/${node}/broker`
  return {
    [`${own}/uptime`]: `${stats.uptimeSeconds()} seconds`,
    '$SYS/broker/clients/connected': String(s.online),
    // persistent sessions whose client is not connected
    '$SYS/broker/clients/disconnected': String(s.offline),
    '$SYS/broker/clients/total': String(s.total),
    [`${own}/clients/expired`]: String(stats.expired()),
    // queued for sessions, not yet sent (Mosquitto: messages in its store)
    '$SYS/broker/store/messages/count': String(s.queued),
    '$SYS/broker/messages/inflight': String(s.inflight),
    [`${own}/publish/messages/dropped`]: String(stats.droppedTotal()),
    [`${own}/publish/messages/received`]: sum(stats.received),
    [`${own}/publish/messages/sent`]: sum(stats.sent),
  }
}

export interface SysPublisher {
  /** Publishes the values that changed since the last time (all of them the first time). */
  publishNow(): Promise<void>
  /** Stops the timer and waits for a publication under way. */
  stop(): Promise<void>
}

/**
 * Publishes the `$SYS` topics, retained, through aedes: at once, then every
 * `intervalSeconds` (0: never). A value is republished only when it changed
 * (uptime always does), so a quiet broker does not rewrite its retained store.
 */
export function startSysTopics(options: {
  aedes: Aedes
  stats: BrokerStats
  intervalSeconds: number
  timer?: SysTimer
  onError?: (err: unknown) => void
  /** In a cluster: this node's broker id (see {@link sysValues}). */
  node?: string
}): SysPublisher {
  const { aedes, stats, intervalSeconds, timer = realTimer, onError = () => {}, node } = options
  const last = new Map<string, string>()
  let running: Promise<void> | null = null

  const publishChanged = async () => {
    const values = await sysValues(stats, node)
    const changed = Object.entries(values).filter(([topic, value]) => last.get(topic) !== value)
    await Promise.all(
      changed.map(async ([topic, value]) => {
        await publishRetained(aedes, topic, value)
        last.set(topic, value)
      }),
    )
  }
  const publishNow = () => {
    running ??= publishChanged().finally(() => {
      running = null
    })
    return running
  }

  if (intervalSeconds === 0) return { publishNow, stop: async () => {} }
  const tick = () => {
    // a tick that finds the previous one still walking the sessions is skipped
    if (running === null) publishNow().catch(onError)
  }
  const handle = timer.setInterval(tick, intervalSeconds * 1000)
  tick()
  return {
    publishNow,
    async stop() {
      timer.clearInterval(handle)
      await running?.catch(() => {})
    },
  }
}

function publishRetained(aedes: Aedes, topic: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(value), qos: 0, retain: true, dup: false },
      (err) => (err ? reject(err) : resolve()),
    )
  })
}
