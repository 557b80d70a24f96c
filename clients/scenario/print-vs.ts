import type { Difference, KnownDifference, StepView } from './compare.ts'
import { describeMessage } from './match.ts'
import { stepPlace } from './print.ts'
import { hex } from './reason-code.ts'
import type { RunReport, ScenarioResult } from './result.ts'

/** One broker's view of a step in a few words: `CONNACK 0, session present 1`, `received nothing`. */
export function describeView(view: StepView | null): string {
  if (view === null) return 'not run (the scenario stopped earlier)'
  const { observed, error } = view
  const parts: string[] = []
  if ('connack' in observed) {
    const c = observed.connack
    const properties = Object.entries(c?.properties ?? {}).map(
      ([k, v]) => `, ${k} ${JSON.stringify(v)}`,
    )
    parts.push(
      c
        ? `CONNACK ${c.returnCode}, session present ${Number(c.sessionPresent)}${properties.join('')}`
        : 'no CONNACK',
    )
  } else if ('ack' in observed) {
    parts.push(
      observed.ack
        ? `acknowledged with reason code ${hex(observed.ack.reasonCode)}`
        : 'no acknowledgement',
    )
  } else if ('disconnect' in observed) {
    const d = observed.disconnect
    parts.push(d ? `DISCONNECT from the broker, reason code ${hex(d.reasonCode)}` : 'no DISCONNECT')
  } else if ('granted' in observed) {
    parts.push(`granted ${JSON.stringify(observed.granted)}`)
  } else if ('received' in observed) {
    const got = observed.received
    parts.push(
      got.length === 0 ? 'received nothing' : `received ${got.map(describeMessage).join('; ')}`,
    )
  } else if ('pubrel' in observed) {
    const p = observed.pubrel
    parts.push(
      p === null ? 'no PUBREL' : `PUBREL${p.sameId === false ? ' with another packet id' : ''}`,
    )
  } else if ('closed' in observed) {
    parts.push(observed.closed ? 'closed' : 'still open')
  }
  if (error) parts.push(`${error.message} [${error.code}]`)
  return parts.length === 0 ? 'done' : parts.join('; ')
}

/**
 * Each difference as `scenario step N (line L) action client`, then what A
 * and B showed, then why, when a known difference (e.g. with Mosquitto) explains it.
 */
export function formatDifferences(
  differences: Difference[],
  a: string,
  b: string,
  explain: (d: Difference) => KnownDifference | undefined = () => undefined,
): string {
  if (differences.length === 0) return 'no differences'
  const lines = [`${differences.length} difference(s) between A = ${a} and B = ${b}:`]
  for (const d of differences) {
    lines.push(`  ${d.scenario} ${stepPlace({ ...d, index: d.step })}`)
    lines.push(`    A: ${describeView(d.a)}`)
    lines.push(`    B: ${describeView(d.b)}`)
    const why = explain(d)
    if (why) lines.push(`    known difference with ${why.broker}: ${why.reason}`)
  }
  return lines.join('\n')
}

function cell(result: ScenarioResult | undefined): string {
  if (!result) return '-'
  const { checked, failed } = result.expectations
  return `${result.passed ? 'PASS' : 'FAIL'} ${checked - failed}/${checked}`
}

/** Scenario by scenario, one column per broker. */
export function formatVsTable(a: RunReport, b: RunReport): string {
  const width = Math.max(8, ...a.results.map((r) => r.id.length))
  const col = Math.max(a.broker.length, 12)
  const header = ['scenario'.padEnd(width), a.broker.padEnd(col), b.broker].join('  ')
  const rows = a.results.map((r, i) =>
    [r.id.padEnd(width), cell(r).padEnd(col), cell(b.results[i])].join('  '),
  )
  return [header, ...rows].join('\n')
}
