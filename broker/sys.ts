import type { Aedes } from 'aedes'
import type { Clock } from './clock.ts'
import { LOAD_WINDOWS, LoadAverage, type LoadWindow } from './metrics/load.ts'
import type { BrokerStats } from './metrics/stats.ts'
import { version } from './version.ts'

/** The timer `$SYS` updates run on; tests pass a manual one. */
export interface SysTimer {
  setInterval(tick: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

/** The timer of a {@link Clock}: a test's manual clock then drives the ticks too. */
export function clockTimer(clock: Clock): SysTimer {
  return {
    setInterval: (tick, ms) => clock.every(ms, tick),
    clearInterval: (stop) => (stop as () => void)(),
  }
}

const realTimer: SysTimer = {
  setInterval: (tick, ms) => setInterval(tick, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
}

/**
 * The `$SYS` topics, named as Mosquitto names them (see its mosquitto(8) man
 * page) so that existing dashboards find them. Payloads are decimal text.
 * In a cluster (`node` set) the session counts are the cluster's, the same
 * from every node; this node's own values go under `$SYS/<node>/broker/`
 * (aedes' per-node `$SYS/<id>/` space) so that nodes do not overwrite each
 * other's retained values.
 */
export async function sysValues(
  stats: BrokerStats,
  node?: string,
): Promise<Record<string, string>> {
  const [s, subscriptions, retained] = await Promise.all([
    stats.sessions(),
    stats.subscriptions(),
    stats.retained(),
  ])
  const own = ownPrefix(node)
  return {
    [`${own}/version`]: `sessionlab version ${version}`,
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
    [`${own}/publish/messages/received`]: String(sum(stats.received)),
    [`${own}/publish/messages/sent`]: String(sum(stats.sent)),
    [`${own}/bytes/received`]: String(stats.bytesReceived()),
    [`${own}/bytes/sent`]: String(stats.bytesSent()),
    // in a cluster: every persistent session's (the cluster's) and this node's clean ones'
    [`${own}/subscriptions/count`]: String(subscriptions),
    [`${own}/retained messages/count`]: String(retained),
  }
}

function ownPrefix(node: string | undefined): string {
  return node === undefined ? '$SYS/broker' : `$SYS/${node}/broker`
}

function sum(counts: BrokerStats['sent']): number {
  return counts[0] + counts[1] + counts[2]
}

/**
 * `$SYS/broker/load/<what>/<1min|5min|15min>`: per-minute rates averaged as
 * Mosquitto averages them ({@link LoadAverage}), each update taking the
 * time since the last from the broker's clock. "messages" are PUBLISH
 * messages here (Mosquitto counts packets of every type).
 */
class SysLoad {
  readonly #now: () => number
  #at: number
  readonly #series: [what: string, count: () => number, average: LoadAverage][]

  constructor(stats: BrokerStats, now: () => number) {
    this.#now = now
    this.#at = now()
    this.#series = [
      ['messages/received', () => sum(stats.received), new LoadAverage()],
      ['messages/sent', () => sum(stats.sent), new LoadAverage()],
      ['bytes/received', () => stats.bytesReceived(), new LoadAverage()],
      ['bytes/sent', () => stats.bytesSent(), new LoadAverage()],
      ['connections', () => stats.connectionsAccepted(), new LoadAverage()],
    ]
  }

  /** Updates every average with the counts now, and returns their topics and values. */
  values(node?: string): Record<string, string> {
    const at = this.#now()
    const elapsedSeconds = (at - this.#at) / 1000
    if (elapsedSeconds > 0) this.#at = at
    const own = ownPrefix(node)
    const values: Record<string, string> = {}
    for (const [what, count, average] of this.#series) {
      average.update(count(), elapsedSeconds)
      for (const window of Object.keys(LOAD_WINDOWS) as LoadWindow[]) {
        values[`${own}/load/${what}/${window}`] = average.get(window).toFixed(2)
      }
    }
    return values
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
 * (uptime always does), so a quiet broker sends its `$SYS/#` subscribers little.
 */
export function startSysTopics(options: {
  aedes: Aedes
  stats: BrokerStats
  intervalSeconds: number
  timer?: SysTimer
  /** ms since the epoch, for the load averages' intervals. */
  now?: () => number
  onError?: (err: unknown) => void
  /** In a cluster: this node's broker id (see {@link sysValues}). */
  node?: string
}): SysPublisher {
  const { aedes, stats, intervalSeconds, timer = realTimer, onError = () => {}, node } = options
  const load = new SysLoad(stats, options.now ?? Date.now)
  const last = new Map<string, string>()
  let running: Promise<void> | null = null

  const publishChanged = async () => {
    const values = { ...(await sysValues(stats, node)), ...load.values(node) }
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
