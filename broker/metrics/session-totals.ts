import type { SessionInspector, SessionTotals } from '../inspector/types.ts'

const PAGE = 1000
/** A walk slower than this is reused for a while rather than repeated at once. */
const SLOW_WALK_MS = 100
/** ...for this many times its own duration: counting then costs at most ~1/10 of a core. */
const REUSE_FACTOR = 10

/**
 * Queue depth and in-flight totals over every session: from the store's
 * counters where it keeps them (SQLite, memory), else summed a page at a
 * time through the inspector (redis). Calls made while a walk runs share it, so a
 * scrape and a `$SYS` tick arriving together cost one walk. On a broker
 * large enough for a walk to take over {@link SLOW_WALK_MS} (about 100,000
 * sessions take seconds), its result is reused for {@link REUSE_FACTOR}
 * times as long, so frequent scrapes cannot keep the broker busy counting.
 * Only a walk of several pages is: a one-page walk (or the store's
 * counters) that took long met a busy event loop, not a costly count, and
 * reusing it showed a stale count for seconds after sessions came and went.
 */
export function sessionTotals(
  inspector: SessionInspector,
  now: () => number = () => performance.now(),
): () => Promise<SessionTotals> {
  let running: Promise<SessionTotals> | null = null
  let last: { totals: SessionTotals; freshUntil: number } | null = null
  return () => {
    if (last !== null && now() < last.freshUntil) return Promise.resolve(last.totals)
    running ??= (async () => {
      const started = now()
      try {
        const quick = await inspector.quickTotals?.()
        const { totals, pages } = quick ? { totals: quick, pages: 0 } : await walk(inspector)
        const took = now() - started
        const costly = pages > 1 && took > SLOW_WALK_MS
        last = { totals, freshUntil: costly ? now() + took * REUSE_FACTOR : 0 }
        return totals
      } finally {
        running = null
      }
    })()
    return running
  }
}

/** The totals, and how many pages of the list it took. */
async function walk(
  inspector: SessionInspector,
): Promise<{ totals: SessionTotals; pages: number }> {
  let page = await inspector.list({ limit: PAGE })
  const totals = { ...page.counts, queued: 0, inflight: 0 }
  for (let pages = 1; ; pages++) {
    for (const s of page.sessions) {
      totals.queued += s.queued
      totals.inflight += s.inflight
    }
    if (page.next === null) return { totals, pages }
    page = await inspector.list({ limit: PAGE, cursor: page.next })
  }
}
