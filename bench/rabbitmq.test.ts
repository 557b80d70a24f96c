import { existsSync } from 'node:fs'
import mqtt from 'mqtt'
import { describe, expect, test } from 'vitest'
import { waitForTcp } from './ports.ts'
import { RABBITMQ_SERVER, startRabbitMQ } from './rabbitmq.ts'

/** In CI (`CI=true`) a missing RabbitMQ is a failure: `.ci/run` installs Debian's rabbitmq-server. */
function rabbitmqAvailable(): boolean {
  if (existsSync(RABBITMQ_SERVER)) return true
  if (process.env.CI === 'true') {
    throw new Error(
      `${RABBITMQ_SERVER} is missing; .ci/run installs the Debian rabbitmq-server package`,
    )
  }
  return false
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.skipIf(!rabbitmqAvailable())('the durable peer', () => {
  test('RabbitMQ starts with its MQTT plugin, keeps a persistent session’s QoS 1 message across a restart, and stops cleanly leaving no process', async () => {
    const broker = await startRabbitMQ(60_000)
    const { host, port } = broker.targets.publish
    const url = `mqtt://${host}:${port}`
    const options = { clientId: 'dev1', clean: false, reconnectPeriod: 0 }
    const sub = await mqtt.connectAsync(url, options)
    await sub.subscribeAsync('plant/t', { qos: 1 })
    await sub.endAsync()
    const pub = await mqtt.connectAsync(url, { clientId: 'pub', reconnectPeriod: 0 })
    await pub.publishAsync('plant/t', 'kept', { qos: 1 })
    await pub.endAsync()

    const restart = broker.restart
    if (restart === undefined) throw new Error('RabbitMQ keeps sessions: it must be restartable')
    expect((await restart()).stopped).toEqual({ code: 0, signal: null })
    // the restart resolves once the VM is spawned; it listens some seconds later
    await waitForTcp(host, port, 60_000, () => false)
    const resumed = mqtt.connect(url, options)
    const message = new Promise<string>((resolve) =>
      resumed.once('message', (_topic, payload) => resolve(payload.toString())),
    )
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      resumed.once('connect', resolve)
      resumed.once('error', reject)
    })
    expect(connack.sessionPresent).toBe(true)
    expect(await message).toBe('kept')
    await resumed.endAsync()

    const pids = broker.pids()
    expect(pids).toHaveLength(2) // the Erlang VM and its epmd
    expect(await broker.stop()).toEqual({ code: 0, signal: null })
    expect(pids.filter(alive)).toEqual([])
  }, 120_000)
})
