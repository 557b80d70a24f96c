import { randomInt, seededRandom } from './random.ts'

export const STRATEGIES = ['persistent', 'clean', 'resubscribe'] as const
/**
 * How a device keeps its subscription across an offline period:
 * - `persistent`: CleanSession=0, subscribes once; the broker keeps the session and queues.
 * - `clean`: CleanSession=1, subscribes once; after a reconnect it has no subscription.
 * - `resubscribe`: CleanSession=1 and subscribes again after every reconnect.
 * - `expiry:N`: MQTT 5, Clean Start 0 with a Session Expiry Interval of N seconds; the
 *   broker keeps the session and queues for N s after a drop, and a device that finds its
 *   session gone (session present 0) subscribes again.
 */
export type Strategy = (typeof STRATEGIES)[number] | `expiry:${number}`

/** The Session Expiry Interval of an `expiry:N` strategy, in seconds; null for the others. */
export function expirySeconds(strategy: Strategy): number | null {
  return strategy.startsWith('expiry:') ? Number(strategy.slice('expiry:'.length)) : null
}

/** Publishes `from` to `to - 1` happen while the device is offline. */
export interface OfflinePeriod {
  from: number
  to: number
}

/** Everything a simulation does, in ticks (one tick = one publish), fixed by the seed. */
export interface Schedule {
  seed: number
  devices: number
  /** Messages the publisher sends, one per tick. */
  messages: number
  tickMs: number
  /** Per device, its offline periods in order. A period ending at `messages` ends after the last publish. */
  offline: OfflinePeriod[][]
}

export interface ScheduleParams {
  seed: number
  devices: number
  messages: number
  /** Publishes per second. */
  rate: number
  /** Mean length of an offline and of an online period, in ms; each is drawn from 0.5x to 1.5x. */
  offlineMeanMs: number
  onlineMeanMs: number
}

/** Draws every device's offline periods from the seed. Pure. */
export function makeSchedule(p: ScheduleParams): Schedule {
  const random = seededRandom(p.seed)
  const tickMs = 1000 / p.rate
  const ticks = (meanMs: number) => {
    const mean = Math.max(1, Math.round(meanMs / tickMs))
    return randomInt(random, Math.max(1, Math.round(mean / 2)), Math.max(1, Math.round(mean * 1.5)))
  }
  const offline: OfflinePeriod[][] = []
  for (let d = 0; d < p.devices; d++) {
    const periods: OfflinePeriod[] = []
    let t = ticks(p.onlineMeanMs)
    while (t < p.messages) {
      const to = Math.min(p.messages, t + ticks(p.offlineMeanMs))
      periods.push({ from: t, to })
      t = to + ticks(p.onlineMeanMs)
    }
    offline.push(periods)
  }
  return { seed: p.seed, devices: p.devices, messages: p.messages, tickMs, offline }
}

/** Publishes a device misses while offline. */
export function offlineTicks(periods: OfflinePeriod[]): number {
  return periods.reduce((n, p) => n + p.to - p.from, 0)
}

/** Whether an `expiry:N` session outlives an offline period (by the schedule's clock). */
export function outlives(schedule: Schedule, period: OfflinePeriod, seconds: number): boolean {
  return (period.to - period.from) * schedule.tickMs <= seconds * 1000
}

/**
 * The messages a strategy loses against a broker that follows MQTT 3.1.1
 * (MQTT 5 for `expiry:N`) and does not queue QoS 0 for offline sessions
 * (SessionLab's and Mosquitto's default), summed over devices:
 * - `persistent`: none at QoS 1/2; at QoS 0, those published while offline;
 * - `resubscribe`: those published while offline;
 * - `clean`: everything from the first offline period on, since the
 *   subscription goes with the session and is never made again;
 * - `expiry:N`: at QoS 1/2, those published during each offline period longer
 *   than N s (the session, its queue with it, ends N s into the period; the
 *   device subscribes again when it returns); at QoS 0 those published while offline.
 */
export function predictedLost(schedule: Schedule, strategy: Strategy, qos: 0 | 1 | 2): number {
  const seconds = expirySeconds(strategy)
  return schedule.offline.reduce((sum, periods) => {
    const first = periods[0]
    if (strategy === 'clean') return sum + (first ? schedule.messages - first.from : 0)
    if (strategy === 'persistent' && qos > 0) return sum
    if (seconds !== null && qos > 0) {
      return sum + offlineTicks(periods.filter((p) => !outlives(schedule, p, seconds)))
    }
    return sum + offlineTicks(periods)
  }, 0)
}
