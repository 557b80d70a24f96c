import { connectAsync } from 'mqtt'
import { expect } from 'vitest'
import { sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'

/**
 * Leaves a store in `dataDir` as a real run does: a persistent session with a
 * subscription and a queued message, then a clean SIGTERM shutdown.
 */
export async function writeRealStore(dataDir: string): Promise<void> {
  const broker = await startChildBroker(sqliteArgs(dataDir))
  const subscriber = await connectAsync(broker.mqttUrl, {
    clientId: 'fixture-sub',
    clean: false,
    reconnectPeriod: 0,
  })
  await subscriber.subscribeAsync('fixture/#', { qos: 1 })
  await subscriber.endAsync()
  const publisher = await connectAsync(broker.mqttUrl, {
    clientId: 'fixture-pub',
    reconnectPeriod: 0,
  })
  await publisher.publishAsync('fixture/queued', 'waiting for fixture-sub', { qos: 1 })
  await publisher.endAsync()
  const exit = await broker.kill('SIGTERM')
  expect({ code: exit.code, signal: exit.signal, stderr: exit.stderr }).toEqual({
    code: 0,
    signal: null,
    stderr: '',
  })
}
