import { expect, test } from 'vitest'
import { startSysTopics } from '../../broker/sys.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

test("a $SYS/# subscriber gets $SYS/broker/... but none of aedes' $SYS/<broker id>/... traffic", async () => {
  const broker = await startBroker({ store: 'memory', sysInterval: 0 })
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('$SYS/#', 0)

  // what makes aedes publish $SYS/<id>/new/clients, new/subscribes, new/unsubscribes, disconnect/clients
  const { client: other } = await RawClient.connect(broker.urls.mqtt, { clientId: 'other' })
  await other.subscribe('x/#', 1)
  other.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['x/#'] })
  await other.next('unsuback')
  await other.disconnect()

  // then one value of SessionLab's own: it arrives after aedes' notices would have
  const sys = startSysTopics({ aedes: broker.aedes, stats: broker.stats, intervalSeconds: 0 })
  await sys.publishNow()
  const seen: string[] = []
  while (!seen.includes('$SYS/broker/clients/total'))
    seen.push((await watcher.next('publish')).topic)
  await watcher.ping()
  for (const q of watcher.unread) if (q.cmd === 'publish') seen.push(q.topic)

  expect(seen.filter((topic) => !topic.startsWith('$SYS/broker/'))).toEqual([])
  expect(seen).toContain('$SYS/broker/uptime')
})

test("aedes' own $SYS topics still reach the broker's listeners on its router", async () => {
  const broker = await startBroker({ store: 'memory', sysInterval: 0 })
  const notice = new Promise<string>((resolve) => {
    broker.aedes.subscribe(
      `$SYS/${broker.aedes.id}/new/clients`,
      (packet, done) => {
        resolve(String(packet.payload))
        done()
      },
      () => {},
    )
  })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'announced' })
  expect(await notice).toBe('announced')
})
