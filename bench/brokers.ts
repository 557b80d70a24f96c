import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ExitInfo,
  type ManagedProcess,
  makeTempDir,
  removeTempDir,
  startProcess,
} from './children.ts'
import { errorMessage } from './errors.ts'
import { pickFreePort, waitForTcp } from './ports.ts'
import type { BrokerName, Target } from './types.ts'

export const MOSQUITTO = '/usr/sbin/mosquitto'
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
const READY_TIMEOUT_MS = 20_000

/** A broker under test, listening; `stop()` ends it and removes its data dir. */
export interface RunningBroker {
  name: BrokerName
  target: Target
  pid: number | undefined
  /** The exit status after SIGTERM, so the driver can flag a broker that did not exit cleanly. */
  stop(): Promise<ExitInfo>
}

/** Starts a fresh instance (fresh data dir, fresh port) of the named broker. */
export function startBroker(name: BrokerName): Promise<RunningBroker> {
  switch (name) {
    case 'sessionlab-sqlite':
      return startSessionLab(name, 'sqlite')
    case 'sessionlab-memory':
      return startSessionLab(name, 'memory')
    case 'aedes-bare':
      return startPrintingBroker(name, ['--import', 'tsx', 'bench/brokers/aedes-bare.ts'])
    case 'mosquitto':
      return startMosquitto()
  }
}

function startSessionLab(name: BrokerName, store: 'sqlite' | 'memory'): Promise<RunningBroker> {
  const dataDir = makeTempDir(name)
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const args = ['bin/sessionlab.js', ...ports, '--store', store, '--data-dir', dataDir]
  return startPrintingBroker(name, args, dataDir)
}

/** Matches `mqtt://127.0.0.1:1883`, `mqtt://localhost:1883`, `mqtt://[::1]:1883`. */
const MQTT_URL = /mqtt:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/

/** Parses the address a broker printed, mapping wildcard binds to loopback. */
export function parseMqttUrl(line: string): Target | undefined {
  const match = MQTT_URL.exec(line)
  if (match === null) return undefined
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1')
  const wildcard = host === '0.0.0.0' || host === '::'
  return { host: wildcard ? '127.0.0.1' : host, port: Number(match[2]) }
}

/** A Node broker that prints its `mqtt://HOST:PORT` once it listens. */
async function startPrintingBroker(
  name: BrokerName,
  args: string[],
  dataDir?: string,
): Promise<RunningBroker> {
  const proc = startProcess(process.execPath, args, REPO_ROOT)
  const cleanup = async (): Promise<ExitInfo> => {
    const info = await proc.stop()
    if (dataDir !== undefined) removeTempDir(dataDir)
    return info
  }
  try {
    const target = await waitForUrl(proc)
    return { name, target, pid: proc.pid, stop: cleanup }
  } catch (err) {
    await cleanup()
    throw err
  }
}

function waitForUrl(proc: ManagedProcess): Promise<Target> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`printed no mqtt://HOST:PORT within ${READY_TIMEOUT_MS} ms\n${proc.tail()}`))
    }, READY_TIMEOUT_MS)
    proc.onLine((line) => {
      const target = parseMqttUrl(line)
      if (target === undefined) return
      clearTimeout(timer)
      resolve(target)
    })
    void proc.exited.then((info) => {
      clearTimeout(timer)
      const why = tellingLine(proc.tail())
      reject(new Error(`exited (${describeExit(info)}) before listening: ${why}\n${proc.tail()}`))
    })
  })
}

/** Mosquitto has no port 0: pick a free port, and retry if another process took it meanwhile. */
async function startMosquitto(attempts = 3): Promise<RunningBroker> {
  const dir = makeTempDir('mosquitto')
  const host = '127.0.0.1'
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort(host)
    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(conf, mosquittoConf(port, dir))
    const proc = startProcess(MOSQUITTO, ['-c', conf], dir)
    let exited = false
    void proc.exited.then(() => {
      exited = true
    })
    const stop = async (): Promise<ExitInfo> => {
      const info = await proc.stop()
      removeTempDir(dir)
      return info
    }
    try {
      await waitForTcp(host, port, READY_TIMEOUT_MS, () => exited)
      return { name: 'mosquitto', target: { host, port }, pid: proc.pid, stop }
    } catch (err) {
      await proc.stop()
      if (attempt >= attempts) {
        removeTempDir(dir)
        throw new Error(`${errorMessage(err)}\n${proc.tail()}`)
      }
    }
  }
}

function mosquittoConf(port: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    // 0 = no limit: the drain workload queues every message for the offline session.
    'max_queued_messages 0',
    'log_dest stderr',
    '',
  ].join('\n')
}

/** The line of a failed process's output most likely to say why: the last one naming an error. */
export function tellingLine(output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '')
  return (lines.findLast((line) => /error/i.test(line)) ?? lines.at(-1) ?? '(no output)').trim()
}

export function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `signal ${info.signal}` : `code ${info.code}`
}
