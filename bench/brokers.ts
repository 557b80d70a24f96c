import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorMessage } from '../broker/coded-error.ts'
import {
  type ExitInfo,
  type ManagedProcess,
  makeTempDir,
  removeTempDir,
  startProcess,
} from './children.ts'
import { pickFreePort, waitForTcp } from './ports.ts'
import { startRabbitMQ } from './rabbitmq.ts'
import type { BrokerName, RunningBroker, Target } from './types.ts'

export const MOSQUITTO = '/usr/sbin/mosquitto'
export const REDIS_SERVER = '/usr/bin/redis-server'
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
/**
 * Node flags for the Node brokers (SessionLab, aedes-bare), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
 * the broker under a workload (NODE_OPTIONS refuses --cpu-prof, and would reach generators too).
 */
const BROKER_NODE_ARGS = (process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean)
export const READY_TIMEOUT_MS = 20_000
/** A broker holding 100,000 sessions may take a while to write them out on SIGTERM. */
const STOP_GRACE_MS = 60_000

export type { RunningBroker }

/** Whether the broker keeps its sessions across a restart of its processes. */
export function keepsSessionsOnRestart(name: BrokerName): boolean {
  return name !== 'sessionlab-memory' && name !== 'aedes-bare'
}

/** Starts a fresh instance (fresh data dir, fresh port) of the named broker. */
export function startBroker(name: BrokerName): Promise<RunningBroker> {
  switch (name) {
    case 'sessionlab-sqlite':
      return startSessionLab(name, ['--store', 'sqlite'], 1)
    case 'sessionlab-memory':
      return startSessionLab(name, ['--store', 'memory'], 1)
    case 'sessionlab-redis':
      return startSessionLab(name, ['--store', 'redis'], 1)
    case 'sessionlab-redis-2':
      return startSessionLab(name, ['--store', 'redis'], 2)
    case 'aedes-bare':
      return startAedesBare()
    case 'mosquitto':
      return startMosquitto()
    case 'rabbitmq':
      return startRabbitMQ(STOP_GRACE_MS)
  }
}

/** One broker process that can be stopped and spawned again on the same data and port. */
interface Node {
  target: Target
  http?: string
  proc: ManagedProcess
  /** Spawns the process again (the previous one has exited); does not wait for it to listen. */
  respawn(): ManagedProcess
}

/** What every kind shares once its nodes (and Redis) run. */
function runningBroker(
  name: BrokerName,
  nodes: Node[],
  options: { extra?: ManagedProcess; dirs: string[]; durable: boolean },
): RunningBroker {
  const [first, second = first] = nodes as [Node, ...Node[]]
  const stopNodes = async (): Promise<ExitInfo> =>
    worstExit(await Promise.all(nodes.map((node) => node.proc.stop(STOP_GRACE_MS))))
  const broker: RunningBroker = {
    name,
    targets: { publish: first.target, subscribe: second.target },
    pids: () =>
      [...nodes.map((node) => node.proc), ...(options.extra ? [options.extra] : [])].flatMap(
        (proc) => (proc.pid === undefined ? [] : [proc.pid]),
      ),
    stop: async () => {
      const exits = [await stopNodes()]
      if (options.extra) exits.push(await options.extra.stop())
      for (const dir of options.dirs) removeTempDir(dir)
      return worstExit(exits)
    },
  }
  if (first.http !== undefined) broker.http = first.http
  if (options.durable) {
    broker.restart = async () => {
      const stopped = await stopNodes()
      const spawnedAt = performance.now()
      for (const node of nodes) node.proc = node.respawn()
      return { spawnedAt, stopped }
    }
  }
  return broker
}

/** The first unclean exit, or the first exit if all were clean. */
function worstExit(exits: ExitInfo[]): ExitInfo {
  return exits.find((e) => e.code !== 0) ?? exits[0] ?? { code: 0, signal: null }
}

/**
 * SessionLab through its CLI, on port 0 first. Queue caps are lifted (as Mosquitto's
 * `max_queued_messages 0`) so that the large drain keeps every message. `nodes` > 1: a cluster on
 * one fresh Redis, publishers on node 1 and subscribers on node 2.
 */
async function startSessionLab(
  name: BrokerName,
  storeArgs: string[],
  nodeCount: number,
): Promise<RunningBroker> {
  const dirs: string[] = []
  const started: ManagedProcess[] = []
  try {
    const clusterArgs: string[][] = []
    let redis: ManagedProcess | undefined
    if (storeArgs.includes('redis')) {
      const fresh = await startRedis()
      redis = fresh.proc
      started.push(redis)
      dirs.push(fresh.dir)
      for (let i = 1; i <= nodeCount; i++) {
        clusterArgs.push(['--redis-url', fresh.url, '--broker-id', `bench-${i}`])
      }
    }
    const nodes: Node[] = []
    for (let i = 0; i < nodeCount; i++) {
      const dataDir = makeTempDir(nodeCount > 1 ? `${name}-n${i + 1}` : name)
      dirs.push(dataDir)
      const args = (mqttPort: number): string[] => [
        ...BROKER_NODE_ARGS,
        'bin/sessionlab.js',
        ...['--mqtt-port', String(mqttPort), '--ws-port', '0', '--http-port', '0'],
        ...storeArgs,
        ...(clusterArgs[i] ?? []),
        ...['--queue-max-messages', '0', '--queue-max-bytes', '0', '--data-dir', dataDir],
      ]
      const proc = startProcess(process.execPath, args(0), REPO_ROOT)
      started.push(proc)
      const { target, http } = await waitForUrls(proc, true)
      const respawn = (): ManagedProcess =>
        startProcess(process.execPath, args(target.port), REPO_ROOT)
      nodes.push({ proc, target, ...(http !== undefined && { http }), respawn })
    }
    return runningBroker(name, nodes, {
      ...(redis && { extra: redis }),
      dirs,
      durable: keepsSessionsOnRestart(name),
    })
  } catch (err) {
    await Promise.all(started.map((proc) => proc.stop()))
    for (const dir of dirs) removeTempDir(dir)
    throw err
  }
}

/** A fresh Redis, persistence off: it lives exactly as long as one run's broker. */
async function startRedis(): Promise<{ proc: ManagedProcess; dir: string; url: string }> {
  const dir = makeTempDir('redis')
  const host = '127.0.0.1'
  const port = await pickFreePort(host)
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no']
  const proc = startProcess(REDIS_SERVER, [...args, '--dir', dir], dir)
  let exited = false
  void proc.exited.then(() => {
    exited = true
  })
  try {
    await waitForTcp(host, port, READY_TIMEOUT_MS, () => exited)
  } catch (err) {
    await proc.stop()
    removeTempDir(dir)
    throw new Error(`redis-server: ${errorMessage(err)}\n${proc.tail()}`)
  }
  return { proc, dir, url: `redis://${host}:${port}` }
}

async function startAedesBare(): Promise<RunningBroker> {
  const args = [...BROKER_NODE_ARGS, '--import', 'tsx', 'bench/brokers/aedes-bare.ts']
  const proc = startProcess(process.execPath, args, REPO_ROOT)
  try {
    const { target } = await waitForUrls(proc, false)
    const node = { proc, target, respawn: () => proc }
    return runningBroker('aedes-bare', [node], { dirs: [], durable: false })
  } catch (err) {
    await proc.stop()
    throw err
  }
}

/** Matches `mqtt://127.0.0.1:1883`, `mqtt://localhost:1883`, `mqtt://[::1]:1883`. */
const MQTT_URL = /mqtt:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/
const HTTP_API = /HTTP API\s+(http:\/\/\S+)/

/** Parses the address a broker printed, mapping wildcard binds to loopback. */
export function parseMqttUrl(line: string): Target | undefined {
  const match = MQTT_URL.exec(line)
  if (match === null) return undefined
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1')
  const wildcard = host === '0.0.0.0' || host === '::'
  return { host: wildcard ? '127.0.0.1' : host, port: Number(match[2]) }
}

/** Parses SessionLab's `HTTP API  http://HOST:PORT` line. */
export function parseHttpApiUrl(line: string): string | undefined {
  return HTTP_API.exec(line)?.[1]
}

/** Waits for a Node broker to print its `mqtt://HOST:PORT` (and, if asked, its HTTP API). */
function waitForUrls(
  proc: ManagedProcess,
  withHttp: boolean,
): Promise<{ target: Target; http?: string }> {
  return new Promise((resolve, reject) => {
    let target: Target | undefined
    let http: string | undefined
    const timer = setTimeout(() => {
      reject(new Error(`printed no mqtt://HOST:PORT within ${READY_TIMEOUT_MS} ms\n${proc.tail()}`))
    }, READY_TIMEOUT_MS)
    proc.onLine((line) => {
      target ??= parseMqttUrl(line)
      http ??= parseHttpApiUrl(line)
      if (target === undefined || (withHttp && http === undefined)) return
      clearTimeout(timer)
      resolve(http === undefined ? { target } : { target, http })
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
  // Started as root, Mosquitto drops to the `mosquitto` user, which must be able to write its
  // persistence file (on SIGTERM) into this otherwise private temp dir.
  chmodSync(dir, 0o777)
  const host = '127.0.0.1'
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort(host)
    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(conf, mosquittoConf(port, dir))
    const spawn = (): ManagedProcess => startProcess(MOSQUITTO, ['-c', conf], dir)
    const proc = spawn()
    let exited = false
    void proc.exited.then(() => {
      exited = true
    })
    try {
      await waitForTcp(host, port, READY_TIMEOUT_MS, () => exited)
      const node = { proc, target: { host, port }, respawn: spawn }
      return runningBroker('mosquitto', [node], { dirs: [dir], durable: true })
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
    // Written on SIGTERM (and every autosave_interval): what the restart workload reads back.
    'persistence true',
    `persistence_location ${dir}/`,
    // 0 = no limit: the drain workloads queue every message for the offline session.
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
