import { setTimeout as delay } from 'node:timers/promises'
import { type BrokerUrl, parseBrokerUrl } from '../mqtt/url.ts'
import { Namespace } from '../scenario/namespace.ts'
import { Device, type DeviceStats } from './device.ts'
import type { HeldBytesProbe } from './held.ts'
import { Publisher } from './publisher.ts'
import {
  expirySeconds,
  type OfflinePeriod,
  outlives,
  type Schedule,
  type Strategy,
} from './schedule.ts'

export interface SimOptions {
  /** `mqtt://host:port` or `ws://host:port/path`. */
  broker: string
  schedule: Schedule
  strategies: Strategy[]
  qos: 0 | 1 | 2
  payloadBytes: number
  /** Longest wait for owed messages before a drop and at the end, ms. */
  settleMs: number
  timeoutMs: number
  /** Samples server-side bytes held when given. */
  heldBytes: HeldBytesProbe | null
  onProgress?: (progress: SimProgress) => void
}

export interface SimProgress {
  strategy: Strategy
  published: number
  messages: number
  offline: number
}

/** What one strategy's run produced, before aggregation. */
export interface StrategyRun {
  strategy: Strategy
  published: number
  durationMs: number
  devices: DeviceStats[]
  /** Peak of the summed queued bytes of the run's sessions, null without an API. */
  heldBytesPeak: number | null
}

/** Runs the schedule once per strategy, one after the other, against one broker. */
export async function runSimulation(options: SimOptions): Promise<StrategyRun[]> {
  const url = parseBrokerUrl(options.broker)
  const runs: StrategyRun[] = []
  for (const strategy of options.strategies) runs.push(await runStrategy(url, strategy, options))
  return runs
}

async function runStrategy(
  url: BrokerUrl,
  strategy: Strategy,
  o: SimOptions,
): Promise<StrategyRun> {
  const { schedule, qos, timeoutMs } = o
  const ns = new Namespace()
  // `expiry:5` names topics and ClientIDs as `expiry5`
  const tag = strategy.replace(':', '')
  const topic = ns.topic(`sim/${tag}/all`)
  const publisher = await Publisher.connect(url, {
    clientId: ns.clientId(`${tag}-pub`),
    topic,
    qos,
    payloadBytes: o.payloadBytes,
    timeoutMs,
  })
  const devices = schedule.offline.map(
    (_, i) =>
      new Device({
        url,
        clientId: ns.clientId(`${tag}-${i}`),
        topic,
        qos,
        strategy,
        timeoutMs,
        sentAt: (seq) => publisher.sentAt(seq),
      }),
  )
  const drops = byTick(schedule, 'from', devices)
  const periodsFrom = new Map<number, [Device, OfflinePeriod][]>()
  schedule.offline.forEach((periods, i) => {
    for (const p of periods) {
      const list = periodsFrom.get(p.from) ?? []
      list.push([devices[i] as Device, p])
      periodsFrom.set(p.from, list)
    }
  })
  const returns = byTick(schedule, 'to', devices)
  const sampler = o.heldBytes
    ? startSampler(
        o.heldBytes,
        devices.map((d) => d.stats.clientId),
      )
    : null
  const started = performance.now()
  try {
    await Promise.all(devices.map((d) => d.connect(true)))
    // a message is owed to a device when it can get it: always for a queued persistent
    // session, and for an expiry:N session while away no longer than N s
    const expiry = expirySeconds(strategy)
    const away = new Map<Device, OfflinePeriod>()
    const queued = (d: Device) => {
      const period = away.get(d)
      return expiry !== null && period !== undefined && outlives(schedule, period, expiry)
    }
    const owes = (d: Device) =>
      (qos > 0 && (strategy === 'persistent' || (!d.online && queued(d)))) ||
      (d.online && d.subscribed)
    for (let seq = 0; seq < schedule.messages; seq++) {
      const due = started + seq * schedule.tickMs - performance.now()
      if (due > 0) await delay(due) // the publish rate itself
      for (const [d, period] of periodsFrom.get(seq) ?? []) away.set(d, period)
      await Promise.all([
        ...(drops.get(seq) ?? []).map((d) => d.drop(o.settleMs)),
        ...(returns.get(seq) ?? []).map((d) => d.connect(false)),
      ])
      await publisher.publish(seq)
      for (const d of devices) if (owes(d)) d.owe(seq)
      const offline = devices.filter((d) => !d.online).length
      o.onProgress?.({ strategy, published: seq + 1, messages: schedule.messages, offline })
    }
    await sampler?.sampleNow()
    await Promise.all((returns.get(schedule.messages) ?? []).map((d) => d.connect(false)))
    await Promise.all(devices.map((d) => d.settle(o.settleMs)))
  } finally {
    await sampler?.stop()
    await Promise.all(devices.map((d) => d.finish().catch(() => {})))
    await publisher.close()
  }
  return {
    strategy,
    published: schedule.messages,
    durationMs: Math.round(performance.now() - started),
    devices: devices.map((d) => d.stats),
    heldBytesPeak: sampler?.peak() ?? null,
  }
}

function byTick(schedule: Schedule, edge: 'from' | 'to', devices: Device[]): Map<number, Device[]> {
  const map = new Map<number, Device[]>()
  schedule.offline.forEach((periods, i) => {
    for (const period of periods) {
      const list = map.get(period[edge]) ?? []
      list.push(devices[i] as Device)
      map.set(period[edge], list)
    }
  })
  return map
}

const SAMPLE_EVERY_MS = 500

/** Polls the bytes held for the run's sessions in the background and keeps the peak. */
function startSampler(probe: HeldBytesProbe, clientIds: string[]) {
  let peak = 0
  const stopped = new AbortController()
  const sampleNow = async () => {
    const bytes = await probe.bytesHeld(clientIds).catch(() => null)
    if (bytes !== null) peak = Math.max(peak, bytes)
  }
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      await sampleNow()
      await delay(SAMPLE_EVERY_MS, undefined, { signal: stopped.signal }).catch(() => {})
    }
  })()
  return {
    sampleNow,
    peak: () => peak,
    async stop() {
      stopped.abort()
      await loop
    },
  }
}
