/**
 * `node --import tsx bench/crash-loss.ts [--cycles 10] [--brokers sessionlab,mosquitto] [--seed N]`:
 * the kill -9 harness of `test/crash/mixed-qos-traffic-survives-20-kill-9s.test.ts`, run against
 * each broker in lenient mode: instead of failing, it counts per kill what was acknowledged and
 * never delivered, the sessions that did not survive, and QoS 2 duplicates. A subscriber whose
 * session is gone subscribes again, so every cycle measures its own kill.
 *
 * - `sessionlab`: `bin/sessionlab.js --store sqlite --data-dir DIR` (default `--sqlite-sync normal`)
 * - `mosquitto`: `/usr/sbin/mosquitto` with `persistence true`, `persistence_location DIR`, the
 *   default `autosave_interval` (1800 s) and `max_queued_messages 1000000` (far above what a run
 *   queues, so that only the kill can lose a message; `0`, "no cap", makes Mosquitto 2.0.11
 *   close QoS 2 publishers).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type CrashTarget, type CycleReport, runCrashCycles } from '../test/crash/harness/cycles.ts'
import { destroyAllPeers } from '../test/crash/harness/peer.ts'
import { seededRandom } from '../test/crash/harness/random.ts'
import { MOSQUITTO, parseMqttUrl } from './brokers.ts'
import { type ManagedProcess, makeTempDir, removeTempDir, startProcess } from './children.ts'
import { describeMachine } from './machine.ts'
import { pickFreePort, waitForTcp } from './ports.ts'

const BROKERS = ['sessionlab', 'mosquitto'] as const
type Name = (typeof BROKERS)[number]
const REPO_ROOT = new URL('..', import.meta.url).pathname
const READY_MS = 20_000

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    brokers: { type: 'string', default: BROKERS.join(',') },
    seed: { type: 'string' },
    'quiet-ms': { type: 'string', default: '1500' },
  },
})
const cycles = Number(values.cycles)
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31))
const quietMs = Number(values['quiet-ms'])
const names = values.brokers.split(',') as Name[]
for (const name of names) {
  if (!(BROKERS as readonly string[]).includes(name)) throw new Error(`unknown broker ${name}`)
}
const log = (line: string) => process.stderr.write(`${line}\n`)

function killer(proc: ManagedProcess, pid: number | undefined) {
  return async () => {
    if (pid !== undefined) process.kill(pid, 'SIGKILL')
    await proc.exited
  }
}

async function startSessionLab(dir: string): Promise<CrashTarget> {
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const args = ['bin/sessionlab.js', ...ports, '--store', 'sqlite', '--data-dir', dir]
  const proc = startProcess(process.execPath, args, REPO_ROOT)
  const target = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${proc.tail()}`)), READY_MS)
    proc.onLine((line) => {
      const found = parseMqttUrl(line)
      if (found === undefined) return
      clearTimeout(timer)
      resolve(found)
    })
    void proc.exited.then(() => reject(new Error(`exited before ready:\n${proc.tail()}`)))
  })
  return { url: `mqtt://${target.host}:${target.port}`, kill9: killer(proc, proc.pid) }
}

async function startMosquitto(dir: string): Promise<CrashTarget> {
  const port = await pickFreePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      // not 0 ("no cap"): Mosquitto 2.0.11 then closes every QoS 2 publisher at its first PUBLISH
      'max_queued_messages 1000000',
      'log_dest stderr',
      '',
    ].join('\n'),
  )
  const proc = startProcess(MOSQUITTO, ['-c', conf], dir)
  let exited = false
  void proc.exited.then(() => {
    exited = true
  })
  await waitForTcp('127.0.0.1', port, READY_MS, () => exited)
  return { url: `mqtt://127.0.0.1:${port}`, kill9: killer(proc, proc.pid) }
}

interface Totals {
  broker: Name
  cycles: number
  ackedPerKill: number
  lostAckedPerKill: number
  lostShare: number
  sessionsLost: number
  duplicatesQoS2: number
  probesMissed: number
}

function total(broker: Name, reports: CycleReport[]): Totals {
  const sum = (f: (r: CycleReport) => number) => reports.reduce((n, r) => n + f(r), 0)
  // each subscriber is owed every acknowledged message
  const acked = sum((r) => 2 * (r.acked.q1 + r.acked.q2))
  const lost = sum((r) => r.lostAcked.subscriberQ1 + r.lostAcked.subscriberQ2)
  return {
    broker,
    cycles: reports.length,
    ackedPerKill: acked / reports.length,
    lostAckedPerKill: lost / reports.length,
    lostShare: acked === 0 ? 0 : lost / acked,
    sessionsLost: sum(
      (r) =>
        +!r.sessionPresent.publisherQ2 +
        +!r.sessionPresent.subscriberQ1 +
        +!r.sessionPresent.subscriberQ2,
    ),
    duplicatesQoS2: sum((r) => r.duplicatesQoS2),
    probesMissed: sum((r) => +!r.probeDelivered.subscriberQ1 + +!r.probeDelivered.subscriberQ2),
  }
}

const machine = describeMachine()
log(`crash-loss: ${cycles} kill -9 cycles per broker, seed ${seed}, ${machine.cores} cores`)
const results: Totals[] = []
for (const name of names) {
  const dir = makeTempDir(`crash-${name}`)
  try {
    log(`-- ${name}`)
    const run = await runCrashCycles({
      cycles,
      random: seededRandom(seed),
      patienceMs: 15_000,
      lenient: { quietMs },
      log,
      start: () => (name === 'mosquitto' ? startMosquitto(dir) : startSessionLab(dir)),
    })
    for (const problem of run.problems.slice(0, 10)) log(`  problem: ${problem}`)
    results.push(total(name, run.cycles))
  } finally {
    await destroyAllPeers()
    removeTempDir(dir)
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`
console.log(
  `date ${machine.date}, ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`,
)
console.log(`${machine.mosquitto}; seed ${seed}; ${cycles} cycles per broker\n`)
console.log(
  'broker       acked/kill  lost acked/kill  lost share  sessions lost (of 3/kill)  QoS 2 dups  probes missed',
)
for (const t of results) {
  console.log(
    `${t.broker.padEnd(12)} ${t.ackedPerKill.toFixed(0).padStart(10)}  ${t.lostAckedPerKill.toFixed(0).padStart(15)}  ` +
      `${pct(t.lostShare).padStart(10)}  ${String(t.sessionsLost).padStart(25)}  ${String(t.duplicatesQoS2).padStart(10)}  ${String(t.probesMissed).padStart(13)}`,
  )
}
