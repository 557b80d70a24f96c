import type { Clock } from '../clock.ts'
import type { SessionInspector } from '../inspector/types.ts'
import type { QueuePolicyStore } from '../store/types.ts'
import { QueueDepthTracker } from './queue-depth.ts'
import { type MetricSampler, startMetricSampler } from './samples.ts'
import type { BrokerStats } from './stats.ts'
import type { QosCounts } from './traffic.ts'

/** The broker's recent past, kept server-side: the metric ring and per-session queue depths. */
export interface BrokerHistory {
  readonly sampler: MetricSampler
  readonly queueDepth: QueueDepthTracker
  /** Stops both timers and waits for samples under way. */
  close(): Promise<void>
}

export interface HistoryDeps {
  stats: BrokerStats
  /** Messages a queue cap dropped since start (the session policies' counter). */
  dropped: () => number
  store: Pick<QueuePolicyStore, 'queuedTotals'>
  inspector: SessionInspector
  clock: Clock
  onError: (err: unknown) => void
}

/** Starts sampling the broker (every 5 s, an hour kept) and tracking queue depths. */
export function startHistory(deps: HistoryDeps): BrokerHistory {
  const { stats, clock, onError } = deps
  const sampler = startMetricSampler({
    clock,
    onError,
    async read() {
      // the store's counters when it keeps them: stats.sessions() may answer a total kept from
      // a slow read a moment ago (its guard against frequent scrapes), and a sample must be of now;
      // where only a walk can count (redis), its guarded total it is
      const sessions = (await deps.inspector.quickTotals?.()) ?? (await stats.sessions())
      return {
        connections: stats.connections(),
        online: sessions.online,
        offline: sessions.offline,
        queued: sessions.queued,
        inflight: sessions.inflight,
        received: sum(stats.received),
        sent: sum(stats.sent),
        dropped: deps.dropped(),
      }
    },
  })
  const queueDepth = new QueueDepthTracker({
    queuedTotals: (clientId) => deps.store.queuedTotals(clientId),
    clock,
    onError,
  })
  queueDepth.start()
  const unsubscribe = deps.inspector.onChange((change) => queueDepth.onChange(change))
  return {
    sampler,
    queueDepth,
    async close() {
      unsubscribe()
      await Promise.all([sampler.stop(), queueDepth.stop()])
    },
  }
}

function sum(counts: Readonly<QosCounts>): number {
  return counts[0] + counts[1] + counts[2]
}
