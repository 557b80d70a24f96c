import { setTimeout as delay } from 'node:timers/promises'
import type { RunningBroker } from '../brokers.ts'
import { machineBusyMs, processCpuMs } from '../procfs.ts'
import type { Measurement, Target, Targets } from '../types.ts'
import { withDeadline } from './measure.ts'
import { type OfflineSetup, populateOfflineSessions, sessionId } from './offline-sessions.ts'
import { PacketSocket } from './packet-socket.ts'
import { connectPacket } from './session.ts'
import { CountingSubscriber } from './subscriber.ts'

export type RestartSetupParams = OfflineSetup

/**
 * Generator side of the restart workload: `sessions` persistent sessions, each with one QoS 1
 * subscription, left offline with `queued` QoS 1 messages each. Not timed.
 */
export async function setUpRestart(targets: Targets, params: RestartSetupParams): Promise<void> {
  await populateOfflineSessions(targets.publish, params, 'restart setup', 'bench-restart-pub')
}

const RETRY_MS = 5

/** Retries a TCP connect every few ms: the broker is reloading its sessions meanwhile. */
async function connectWhenAccepting(target: Target, label: string): Promise<PacketSocket> {
  for (;;) {
    try {
      return await PacketSocket.connect(target, label)
    } catch {
      await delay(RETRY_MS)
    }
  }
}

/**
 * Driver side, once {@link setUpRestart} is done: SIGTERM the broker, spawn it again on the same data
 * and port, and time from that spawn until session 0, reconnecting (clean=0) as soon as the port
 * accepts, has every one of its `queued` messages. The broker's CPU is counted from the spawn.
 */
export async function timeRestart(
  broker: RunningBroker,
  queued: number,
  timeoutMs: number,
): Promise<{ measurement: Measurement; warnings: string[] }> {
  if (broker.restart === undefined) throw new Error(`${broker.name} cannot be restarted`)
  const cpuBefore = new Map(broker.pids().map((pid) => [pid, processCpuMs(pid) ?? 0]))
  const { spawnedAt, stopped } = await broker.restart()
  const machineStart = machineBusyMs()
  const cpuStart = process.cpuUsage()
  const warnings =
    stopped.code === 0 ? [] : [`exited with code ${stopped.code} on SIGTERM before the restart`]
  const client = sessionId(0)
  let subscriber: CountingSubscriber | undefined
  const resumed = async (): Promise<void> => {
    const socket = await connectWhenAccepting(broker.targets.subscribe, client)
    subscriber = new CountingSubscriber(socket, queued, true)
    socket.send(connectPacket(client, false))
    await subscriber.done
  }
  try {
    await withDeadline(resumed(), timeoutMs, () =>
      subscriber === undefined
        ? 'the port never accepted a connection'
        : `${subscriber.distinct}/${queued} queued messages received`,
    )
  } catch (err) {
    subscriber?.socket.destroy()
    throw err
  }
  const elapsedMs = performance.now() - spawnedAt
  const cpu = process.cpuUsage(cpuStart)
  const machineEnd = machineBusyMs()
  let brokerCpuMs: number | undefined = 0
  for (const pid of broker.pids()) {
    const ms = processCpuMs(pid)
    brokerCpuMs =
      ms === undefined || brokerCpuMs === undefined
        ? undefined
        : brokerCpuMs + ms - (cpuBefore.get(pid) ?? 0)
  }
  await subscriber?.socket.end()
  const measurement: Measurement = {
    metric: 'restart-resume',
    messages: queued,
    elapsedMs,
    value: elapsedMs,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    duplicates: subscriber?.duplicates ?? 0,
  }
  if (brokerCpuMs !== undefined) measurement.brokerCpuMs = brokerCpuMs
  if (machineStart !== undefined && machineEnd !== undefined) {
    measurement.machineCpuMs = machineEnd - machineStart
  }
  return { measurement, warnings }
}
