import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ManagedProcess, makeTempDir, removeTempDir, startProcess } from './children.ts'
import { pickFreePort, waitForTcp } from './ports.ts'
import type { RunningBroker, Target } from './types.ts'

/** Debian's `rabbitmq-server` 3.10 (the package's own script, not the one that drops to its user). */
export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
const EPMD = '/usr/bin/epmd'
/** The Erlang VM boots, then RabbitMQ, then its plugins: ~11 s here on 2 cores. */
const READY_TIMEOUT_MS = 60_000

/**
 * RabbitMQ with its MQTT plugin, the durable peer: it confirms a QoS 1 PUBLISH after persisting
 * it and keeps CleanSession=0 sessions in durable queues across a restart. Everything it writes is
 * in a fresh temp dir (data, logs, the Erlang cookie), on free ports, with its own `epmd` (the
 * port mapper Erlang nodes need) as a child of ours rather than the system daemon it would start,
 * so nothing outlives the run. Anonymous clients are let in as `guest`, as Mosquitto's
 * `allow_anonymous true`.
 */
export async function startRabbitMQ(stopGraceMs: number): Promise<RunningBroker> {
  const dir = makeTempDir('rabbitmq')
  const host = '127.0.0.1'
  const started: ManagedProcess[] = []
  try {
    const [epmdPort, amqpPort, distPort, mqttPort] = await freePorts(host, 4)
    const epmd = startProcess(EPMD, ['-port', String(epmdPort)], dir)
    started.push(epmd)
    await waitForTcp(host, epmdPort, READY_TIMEOUT_MS, () => false)
    writeFileSync(join(dir, 'rabbitmq.conf'), rabbitConf(amqpPort, mqttPort))
    writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n')
    const env = {
      HOME: dir, // the Erlang cookie is made here
      ERL_EPMD_PORT: String(epmdPort),
      RABBITMQ_NODENAME: `bench${process.pid}@localhost`,
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      // As under systemd, the script execs the Erlang VM instead of waiting on it as a child: our
      // pid is the VM's (its CPU is the broker's), and SIGTERM reaches the VM, which stops cleanly
      // (the script's own SIGTERM trap leaves it exiting by the signal). Nothing listens there.
      NOTIFY_SOCKET: join(dir, 'notify'),
    }
    const spawn = (): ManagedProcess => startProcess(RABBITMQ_SERVER, [], dir, env)
    let node = spawn()
    started.push(node)
    const target: Target = { host, port: mqttPort }
    await listening(node, target)
    return {
      name: 'rabbitmq',
      targets: { publish: target, subscribe: target },
      pids: () => [node.pid, epmd.pid].filter((pid): pid is number => pid !== undefined),
      stop: async () => {
        const exit = await node.stop(stopGraceMs)
        // epmd has no SIGTERM handler: ending by the signal is its clean exit
        await epmd.stop()
        removeTempDir(dir)
        return exit
      },
      restart: async () => {
        const stopped = await node.stop(stopGraceMs)
        const spawnedAt = performance.now()
        node = spawn()
        return { spawnedAt, stopped }
      },
    }
  } catch (err) {
    for (const proc of started.reverse()) await proc.stop()
    removeTempDir(dir)
    throw err
  }
}

function rabbitConf(amqpPort: number, mqttPort: number): string {
  return [
    `listeners.tcp.default = ${amqpPort}`,
    `mqtt.listeners.tcp.default = ${mqttPort}`,
    'mqtt.allow_anonymous = true',
    'log.console = true',
    'log.console.level = warning',
    'log.file = false',
    '',
  ].join('\n')
}

/** `count` distinct free ports (one `pickFreePort` may return the same port twice). */
async function freePorts(host: string, count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await pickFreePort(host))
  return [...ports]
}

async function listening(node: ManagedProcess, target: Target): Promise<void> {
  let exited = false
  void node.exited.then(() => {
    exited = true
  })
  try {
    await waitForTcp(target.host, target.port, READY_TIMEOUT_MS, () => exited)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${node.tail()}`)
  }
}
