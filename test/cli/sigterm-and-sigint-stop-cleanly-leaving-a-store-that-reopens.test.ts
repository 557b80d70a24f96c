import { connect, connectAsync, type IConnackPacket } from 'mqtt'
import { expect, it, onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'

it.each(['SIGTERM', 'SIGINT'] as const)(
  'stops on %s with exit 0, and the store reopens with the session and its queue',
  async (signal) => {
    const dataDir = tempDir()
    const first = await startChildBroker(sqliteArgs(dataDir))

    const keeper = await connectAsync(first.mqttUrl, {
      clientId: 'keeper',
      clean: false,
      reconnectPeriod: 0,
    })
    await keeper.subscribeAsync('kept/#', { qos: 1 })
    await keeper.endAsync()
    const publisher = await connectAsync(first.mqttUrl, { clientId: 'pub', reconnectPeriod: 0 })
    await publisher.publishAsync('kept/1', `queued before ${signal}`, { qos: 1 })
    await publisher.endAsync()

    const exit = await first.kill(signal)
    expect(exit.stderr).toBe('')
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null })
    expect(exit.stdout).toContain(`${signal}: shutting down`)
    expect(exit.stdout).toMatch(/stopped\n$/)

    const second = await startChildBroker(sqliteArgs(dataDir))
    const resumed = connect(second.mqttUrl, {
      clientId: 'keeper',
      clean: false,
      reconnectPeriod: 0,
    })
    onTestFinished(() => resumed.endAsync(true))
    const message = new Promise<string>((resolve) =>
      resumed.once('message', (_topic, payload) => resolve(payload.toString())),
    )
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      resumed.once('connect', resolve)
      resumed.once('error', reject)
    })
    expect(connack.sessionPresent).toBe(true)
    expect(await message).toBe(`queued before ${signal}`)
  },
)

// "Ready" is a promise to a supervisor: a stop request from then on is honoured.
it.each(['SIGTERM', 'SIGINT'] as const)(
  'stops on %s with exit 0 even when it comes as soon as the addresses are printed',
  async (signal) => {
    const broker = await startChildBroker(sqliteArgs(tempDir()))
    const exit = await broker.kill(signal)
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null })
    expect(exit.stdout).toMatch(/stopped\n$/)
  },
)
