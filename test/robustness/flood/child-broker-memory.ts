import { readFileSync } from 'node:fs'
import { tempDir } from '../../helpers/broker.ts'
import { type ChildBroker, startChildBroker } from '../../helpers/child-broker.ts'

/** A broker in its own process (SQLite, fresh data dir); its RSS is read from `/metrics`. */
export interface MeasuredBroker {
  broker: ChildBroker
  /** The broker process's RSS in bytes (prom-client's `process_resident_memory_bytes`). */
  rss(): Promise<number>
  /** A gauge or counter without labels from `/metrics`, e.g. `sessionlab_connections`. */
  metric(name: string): Promise<number>
}

export async function startMeasuredBroker(extraArgs: string[] = []): Promise<MeasuredBroker> {
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const broker = await startChildBroker([
    ...ports,
    '--store',
    'sqlite',
    '--data-dir',
    tempDir('sessionlab-flood-'),
    '--sys-interval',
    '0',
    ...extraArgs,
  ])
  const [, http] = await broker.printed(/HTTP API\s+(http:\/\/\S+)\n/)
  const metric = async (name: string) => {
    const text = await (await fetch(`${http}/metrics`)).text()
    const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text)
    if (!match?.[1]) throw new Error(`no ${name} in /metrics`)
    return Number(match[1])
  }
  return { broker, metric, rss: () => metric('process_resident_memory_bytes') }
}

/** This process's open-file limit (`ulimit -n`), from /proc; Infinity where /proc has none. */
export function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    )
    return line?.[1] === undefined || line[1] === 'unlimited' ? Infinity : Number(line[1])
  } catch {
    return Infinity
  }
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
