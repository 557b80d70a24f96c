/**
 * `node --import tsx bench/sessions-rss.ts`: the memory a broker holds per
 * offline persistent session, and the time of one page of SessionLab's
 * `GET /api/sessions`. For each broker: start it fresh, read its RSS, create
 * `--sessions` persistent sessions (one QoS 1 subscription each, offline),
 * queue `--queued` QoS 1 messages (64-byte payloads) for each, read its RSS
 * again once it settles. RSS per session = (after - before) / sessions.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startBroker as startHarnessBroker } from './brokers.ts'
import { type ManagedProcess, makeTempDir, removeTempDir, startProcess } from './children.ts'
import { describeMachine } from './machine.ts'
import type { BrokerName, Target } from './types.ts'
import { createOfflineSessions, queueForEach, sessionId } from './workloads/offline-sessions.ts'
import { openSession } from './workloads/session.ts'

const BROKERS = ['sessionlab-sqlite', 'sessionlab-memory', 'aedes-bare', 'mosquitto'] as const

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    queued: { type: 'string', default: '3' },
    parallel: { type: 'string', default: '32' },
    brokers: { type: 'string', default: 'sessionlab-sqlite,aedes-bare,mosquitto' },
    samples: { type: 'string', default: '21' },
  },
})
const sessions = Number(values.sessions)
const queued = Number(values.queued)
const parallel = Number(values.parallel)
const samples = Number(values.samples)
const names = values.brokers.split(',') as BrokerName[]
for (const name of names) {
  if (!(BROKERS as readonly string[]).includes(name)) throw new Error(`unknown broker ${name}`)
}

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Running {
  target: Target
  pid: number
  http: string | null
  stop(): Promise<unknown>
}

/** SessionLab through its CLI, with both its MQTT and its HTTP address. */
async function startSessionLab(store: 'sqlite' | 'memory'): Promise<Running> {
  const dataDir = makeTempDir(`rss-${store}`)
  const args = ['bin/sessionlab.js', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const proc = startProcess(
    process.execPath,
    [...args, '--store', store, '--data-dir', dataDir],
    '.',
  )
  const lines = await printed(proc, ['mqtt://', 'http://'])
  const mqtt = new URL(lines[0] ?? '')
  return {
    target: { host: mqtt.hostname, port: Number(mqtt.port) },
    pid: proc.pid ?? 0,
    http: lines[1] ?? null,
    stop: async () => {
      await proc.stop(60_000)
      removeTempDir(dataDir)
    },
  }
}

function printed(proc: ManagedProcess, prefixes: string[]): Promise<string[]> {
  const found: (string | undefined)[] = prefixes.map(() => undefined)
  return new Promise((resolve, reject) => {
    proc.onLine((line) => {
      prefixes.forEach((prefix, i) => {
        const match = new RegExp(`${prefix}\\S+`).exec(line)
        if (match) found[i] = match[0]
      })
      if (found.every((f) => f !== undefined)) resolve(found as string[])
    })
    void proc.exited.then(() => reject(new Error(`exited before it was ready:\n${proc.tail()}`)))
  })
}

async function start(name: BrokerName): Promise<Running> {
  if (name === 'sessionlab-sqlite') return startSessionLab('sqlite')
  if (name === 'sessionlab-memory') return startSessionLab('memory')
  const broker = await startHarnessBroker(name)
  return { target: broker.target, pid: broker.pid ?? 0, http: null, stop: broker.stop }
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1])
}

/** RSS once it stopped moving (three samples within 0.5%), or after 20 s. */
async function settledRss(pid: number): Promise<number> {
  const seen: number[] = []
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500))
    seen.push(rssKiB(pid))
    const last = seen.slice(-3)
    if (last.length === 3 && Math.max(...last) - Math.min(...last) <= Math.max(...last) * 0.005) {
      break
    }
  }
  return seen.at(-1) ?? 0
}

async function timeGet(url: string): Promise<{ coldMs: number; medianMs: number; bytes: number }> {
  const once = async () => {
    const t0 = performance.now()
    const res = await fetch(url)
    const body = await res.text()
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`)
    return { ms: performance.now() - t0, bytes: body.length }
  }
  const cold = await once()
  const warm: number[] = []
  for (let i = 0; i < samples; i++) warm.push((await once()).ms)
  warm.sort((a, b) => a - b)
  return { coldMs: cold.ms, medianMs: warm[Math.floor(warm.length / 2)] ?? 0, bytes: cold.bytes }
}

const results: Record<string, unknown>[] = []
for (const name of names) {
  log(`${name}: starting`)
  const broker = await start(name)
  try {
    const before = await settledRss(broker.pid)
    log(`${name}: RSS before ${before} KiB; creating ${sessions} offline sessions`)
    const t0 = performance.now()
    await createOfflineSessions(broker.target, sessions, parallel, (n) => {
      if (n % 10_000 === 0) log(`${name}:   ${n} sessions`)
    })
    const createS = (performance.now() - t0) / 1000
    log(`${name}: queueing ${queued} messages for each`)
    const publisher = await openSession(broker.target, 'bench-rss-pub', true)
    const t1 = performance.now()
    await queueForEach(publisher, sessions, queued, 100, (n) => {
      if (n % 50_000 === 0) log(`${name}:   ${n} messages`)
    })
    const queueS = (performance.now() - t1) / 1000
    await publisher.end()
    const after = await settledRss(broker.pid)
    const perSession = ((after - before) * 1024) / sessions
    log(`${name}: RSS after ${after} KiB: ${Math.round(perSession)} bytes per session`)
    const row: Record<string, unknown> = {
      broker: name,
      rssBeforeMiB: before / 1024,
      rssAfterMiB: after / 1024,
      bytesPerSession: perSession,
      createSeconds: createS,
      queueSeconds: queueS,
    }
    if (broker.http !== null) {
      const api = `${broker.http}/api/sessions`
      row.firstPage = await timeGet(`${api}?limit=50`)
      row.offlinePage = await timeGet(`${api}?state=offline&limit=50`)
      row.middlePage = await timeGet(
        `${api}?prefix=${sessionId(Math.floor(sessions / 2)).slice(0, -2)}&limit=50`,
      )
      row.oneSession = await timeGet(`${api}/${sessionId(sessions - 1)}`)
      row.metrics = await timeGet(`${broker.http}/metrics`)
    }
    results.push(row)
  } finally {
    await broker.stop()
  }
}

const machine = describeMachine()
console.log(
  `${sessions} offline sessions, 1 QoS 1 subscription and ${queued} queued QoS 1 messages each`,
)
console.log(
  `${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.mosquitto}\n`,
)
console.log('  broker              RSS before  RSS after  per session  create  queue')
for (const r of results) {
  console.log(
    `  ${String(r.broker).padEnd(18)}${mib(r.rssBeforeMiB)}${mib(r.rssAfterMiB)}${`${((r.bytesPerSession as number) / 1024).toFixed(2)} KiB`.padStart(13)}${`${(r.createSeconds as number).toFixed(1)} s`.padStart(8)}${`${(r.queueSeconds as number).toFixed(1)} s`.padStart(7)}`,
  )
}
for (const r of results) {
  if (!r.firstPage) continue
  console.log(`\n${r.broker} HTTP API (cold, then median of ${samples}):`)
  for (const key of ['firstPage', 'offlinePage', 'middlePage', 'oneSession', 'metrics']) {
    const t = r[key] as { coldMs: number; medianMs: number; bytes: number }
    console.log(
      `  ${key.padEnd(12)} ${t.coldMs.toFixed(1).padStart(8)} ms ${t.medianMs.toFixed(1).padStart(8)} ms  ${t.bytes} bytes`,
    )
  }
}
console.error(JSON.stringify(results))

function mib(value: unknown): string {
  return `${(value as number).toFixed(1)} MiB`.padStart(11)
}
