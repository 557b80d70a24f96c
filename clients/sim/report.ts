import type { Percentiles, StrategySummary } from './aggregate.ts'
import { offlineTicks, type Schedule } from './schedule.ts'

/** Everything a simulation reports: its parameters, its schedule in brief, and one summary per strategy. */
export interface SimReport {
  broker: string
  seed: number
  devices: number
  messages: number
  rate: number
  qos: 0 | 1 | 2
  payloadBytes: number
  offlineMeanMs: number
  onlineMeanMs: number
  schedule: {
    offlinePeriods: number
    /** Device-messages published while the device was offline. */
    publishedWhileOffline: number
    /** Per device, its offline periods as [from, to) publish numbers. */
    periods: [number, number][][]
  }
  /** Where bytes held came from, or why the column is absent. */
  heldBytes: { api: string } | { unavailable: string } | null
  strategies: StrategySummary[]
}

export function scheduleSummary(schedule: Schedule): SimReport['schedule'] {
  return {
    offlinePeriods: schedule.offline.reduce((n, p) => n + p.length, 0),
    publishedWhileOffline: schedule.offline.reduce((n, p) => n + offlineTicks(p), 0),
    periods: schedule.offline.map((periods) => periods.map((p) => [p.from, p.to])),
  }
}

const ms = (p: Percentiles | null, keys: (keyof Percentiles)[]) =>
  p === null ? '-' : keys.map((k) => p[k]).join(' / ')

/** The report as Markdown: parameters, then one table row per strategy. */
export function formatMarkdown(report: SimReport): string {
  const withBytes = report.heldBytes !== null && 'api' in report.heldBytes
  const header = [
    'strategy',
    'sent',
    'expected',
    'delivered',
    'lost',
    'predicted lost',
    'duplicated',
    'latency ms p50 / p95 / p99 / max',
    'reconnects',
    'reconnect ms p50 / max',
    ...(withBytes ? ['peak bytes held'] : []),
  ]
  const rows = report.strategies.map((s) => [
    s.strategy,
    s.sent,
    s.expected,
    s.delivered,
    s.lost,
    s.predictedLost,
    s.duplicated,
    ms(s.latencyMs, ['p50', 'p95', 'p99', 'max']),
    s.reconnects,
    ms(s.reconnectMs, ['p50', 'max']),
    ...(withBytes ? [s.heldBytesPeak ?? '-'] : []),
  ])
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  const held = report.heldBytes
  return [
    '# SessionLab fleet simulation',
    '',
    `- broker: ${report.broker}`,
    `- seed ${report.seed}: ${report.devices} devices, ${report.messages} messages at ${report.rate}/s, ` +
      `QoS ${report.qos}, ${report.payloadBytes}-byte payloads`,
    `- offline periods (mean ${report.offlineMeanMs} ms, online mean ${report.onlineMeanMs} ms): ` +
      `${report.schedule.offlinePeriods}, covering ${report.schedule.publishedWhileOffline} ` +
      'device-messages published while the device was offline',
    `- server-side bytes held: ${held === null ? 'not asked (--api)' : 'api' in held ? `peak of queued bytes from ${held.api}` : `left out: ${held.unavailable}`}`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    '"predicted lost" is what the schedule says a broker that follows MQTT 3.1.1 and does not ' +
      'queue QoS 0 for offline sessions loses: persistent none (at QoS 1/2), resubscribe the ' +
      'messages published while a device was offline, clean everything after its first drop.',
    '',
  ].join('\n')
}
