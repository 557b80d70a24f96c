import { connectAsync } from 'mqtt'
import { expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { freePortArgs, sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'

/** A persistent session subscribed to `filter`, left offline. */
async function offlineSession(url: string, clientId: string, filter: string): Promise<void> {
  const client = await connectAsync(url, { clientId, clean: false, reconnectPeriod: 0 })
  await client.subscribeAsync(filter, { qos: 1 })
  await client.endAsync()
}

it('prints the sessions, queued messages and retained messages the SQLite store brought back', async () => {
  const dataDir = tempDir()
  const first = await startChildBroker(sqliteArgs(dataDir))
  await first.printed(/restored 0 sessions, 0 retained messages\n/)

  await offlineSession(first.mqttUrl, 'keeper', 'kept/#')
  await offlineSession(first.mqttUrl, 'idle', 'elsewhere')
  const publisher = await connectAsync(first.mqttUrl, { clientId: 'pub', reconnectPeriod: 0 })
  for (const n of [1, 2, 3]) await publisher.publishAsync(`kept/${n}`, `m${n}`, { qos: 1 })
  await publisher.publishAsync('status/boiler', 'on', { qos: 1, retain: true })
  await publisher.endAsync()
  expect((await first.kill()).code).toBe(0)

  const second = await startChildBroker(sqliteArgs(dataDir))
  const [line] = await second.printed(/restored .*\n/)
  expect(line).toBe(
    'restored 2 sessions (3 queued messages, 0 unacknowledged), 1 retained message\n',
  )
})

it('says nothing of restoring on the memory store, which starts empty', async () => {
  const broker = await startChildBroker(['--store', 'memory', ...freePortArgs(tempDir())])
  await broker.printed(/admin token/)
  const exit = await broker.kill()
  expect(exit.stdout).toContain('sessionlab ready (store: memory)')
  expect(exit.stdout).not.toContain('restored')
})
