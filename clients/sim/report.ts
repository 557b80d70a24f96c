import { reportColumns } from './report-columns.ts'
import { offlineTicks, type Schedule } from './schedule.ts'
import type { SimReport } from './summary.ts'

export function scheduleSummary(schedule: Schedule): SimReport['schedule'] {
  return {
    offlinePeriods: schedule.offline.reduce((n, p) => n + p.length, 0),
    publishedWhileOffline: schedule.offline.reduce((n, p) => n + offlineTicks(p), 0),
    periods: schedule.offline.map((periods) => periods.map((p) => [p.from, p.to])),
  }
}

/** The report as Markdown: parameters, then one table row per strategy. */
export function formatMarkdown(report: SimReport): string {
  const columns = reportColumns(report)
  const header = columns.map((c) => c.header)
  const rows = report.strategies.map((s) => columns.map((c) => c.value(s) ?? '-'))
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
    '"predicted lost" is what the schedule says a broker that follows MQTT 3.1.1 (MQTT 5 for ' +
      'expiry:N) and does not queue QoS 0 for offline sessions loses: persistent none (at QoS ' +
      '1/2), resubscribe the messages published while a device was offline, clean everything ' +
      'after its first drop, expiry:N (an MQTT 5 Session Expiry Interval of N s) the messages ' +
      'published during each offline period longer than N s.',
    '',
  ].join('\n')
}
