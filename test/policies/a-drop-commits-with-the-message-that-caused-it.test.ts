import { expect, test } from 'vitest'
import { startBroker, tempDir } from '../helpers/broker.ts'
import { startChildBroker } from '../helpers/child-broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { drain } from '../store/contract-helpers.ts'
import { goOffline, payloads, received } from './traffic.ts'

const CAPPED = { store: 'sqlite', queueMaxMessages: 3, queueDropPolicy: 'oldest' } as const

async function queuedPayloads(broker: Awaited<ReturnType<typeof startBroker>>, clientId: string) {
  const queue = await drain<{ payload: Buffer }>(broker.store.outgoingStream({ id: clientId }))
  return queue.map((entry) => entry.payload.toString())
}

test('drops and the messages that caused them are both there after a restart, and the caps go on', async () => {
  const dataDir = tempDir()
  const before = await startBroker({ ...CAPPED, dataDir })
  const first = await RawClient.connect(before.urls.mqtt, { clientId: 'device', clean: false })
  await first.client.subscribe('seq', 1)
  await goOffline(before, first.client)
  const { client: pub } = await RawClient.connect(before.urls.mqtt, { clientId: 'pub' })
  for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 1, i)
  await before.close()

  const after = await startBroker({ ...CAPPED, dataDir })
  expect(await queuedPayloads(after, 'device')).toEqual(['3', '4', '5'])
  // The totals were read back at start-up: the next message still drops one.
  expect(after.store.queuedTotals('device')).toEqual({ count: 3, bytes: 3 })
  const { client: pub2 } = await RawClient.connect(after.urls.mqtt, { clientId: 'pub' })
  await publish(pub2, 'seq', '6', 1, 6)
  expect(await queuedPayloads(after, 'device')).toEqual(['4', '5', '6'])
  expect((await after.store.getSession('device'))?.dropped).toBe(3)

  const resumed = await RawClient.connect(after.urls.mqtt, { clientId: 'device', clean: false })
  expect(payloads(await received(resumed.client, 3))).toEqual(['4', '5', '6'])
})

test('what a PUBACK acknowledged under a cap survives kill -9: the newest 3 of 5', async () => {
  const dataDir = tempDir()
  const args = ['--store', 'sqlite', '--data-dir', dataDir, '--queue-max-messages', '3']
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']
  const child = await startChildBroker([...args, ...ports])
  const first = await RawClient.connect(child.mqttUrl, { clientId: 'device', clean: false })
  await first.client.subscribe('seq', 1)
  await first.client.disconnect()
  const { client: pub } = await RawClient.connect(child.mqttUrl, { clientId: 'pub' })
  for (let i = 1; i <= 5; i++) await publish(pub, 'seq', String(i), 1, i)
  await child.kill('SIGKILL')

  const restarted = await startChildBroker([...args, ...ports])
  const resumed = await RawClient.connect(restarted.mqttUrl, { clientId: 'device', clean: false })
  expect(payloads(await received(resumed.client, 3))).toEqual(['3', '4', '5'])
  await resumed.client.ping()
  expect(resumed.client.unread.filter((packet) => packet.cmd === 'publish')).toEqual([])
})
