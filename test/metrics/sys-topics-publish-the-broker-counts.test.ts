import { expect, test } from 'vitest'
import { type SysTimer, startSysTopics } from '../../broker/sys.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

/** Reads publishes until `topic` carries `value`; each wait is bounded by the client. */
async function until(client: RawClient, topic: string, value: string): Promise<void> {
  for (;;) {
    const p = await client.next('publish')
    if (p.topic === topic && p.payload.toString() === value) return
  }
}

/** A timer the test fires by hand. */
function manualTimer(): SysTimer & { fire(): void; ms: number | null } {
  let tick: (() => void) | null = null
  return {
    ms: null,
    setInterval(fn, ms) {
      tick = fn
      this.ms = ms
      return 1
    },
    clearInterval() {
      tick = null
    },
    fire() {
      tick?.()
    },
  }
}

test('every --sys-interval seconds the counts are published, retained, under $SYS/broker/', async () => {
  const broker = await startBroker({ store: 'memory', sysInterval: 1 })
  // published at start-up and retained: a late subscriber reads them at once
  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('$SYS/broker/#', 0)
  const first = await watcher.next('publish')
  expect(first.retain).toBe(true)

  const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev',
    clean: false,
  })
  await dev.disconnect()
  // the next tick (within a second) carries watcher online and dev offline
  await until(watcher, '$SYS/broker/clients/disconnected', '1')
  await until(watcher, '$SYS/broker/clients/total', '2')
})

test('with an injected timer each tick publishes what changed, with values matching the broker', async () => {
  const broker = await startBroker({ store: 'memory', sysInterval: 0 })
  const timer = manualTimer()
  const sys = startSysTopics({
    aedes: broker.aedes,
    stats: broker.stats,
    intervalSeconds: 5,
    timer,
  })
  expect(timer.ms).toBe(5000)
  await sys.publishNow() // the start-up publication

  const { client: watcher } = await RawClient.connect(broker.urls.mqtt, { clientId: 'watcher' })
  await watcher.subscribe('$SYS/broker/#', 0)
  const load: Record<string, string> = {}
  const loads = [
    'messages/received',
    'messages/sent',
    'bytes/received',
    'bytes/sent',
    'connections',
  ]
  for (const what of loads) {
    for (const window of ['1min', '5min', '15min']) {
      load[`$SYS/broker/load/${what}/${window}`] = '0.00'
    }
  }
  const retained = new Map<string, string>()
  for (let i = 0; i < 30; i++) {
    const p = await watcher.next('publish')
    retained.set(p.topic, p.payload.toString())
  }
  expect(Object.fromEntries(retained)).toEqual({
    '$SYS/broker/version': expect.stringMatching(/^sessionlab version \d+\.\d+\.\d+/),
    '$SYS/broker/uptime': expect.stringMatching(/^\d+ seconds$/),
    '$SYS/broker/clients/connected': '0',
    '$SYS/broker/clients/disconnected': '0',
    '$SYS/broker/clients/total': '0',
    '$SYS/broker/clients/expired': '0',
    '$SYS/broker/store/messages/count': '0',
    '$SYS/broker/messages/inflight': '0',
    '$SYS/broker/publish/messages/dropped': '0',
    '$SYS/broker/publish/messages/received': '0',
    '$SYS/broker/publish/messages/sent': '0',
    // nothing connected yet when they were taken
    '$SYS/broker/bytes/received': '0',
    '$SYS/broker/bytes/sent': '0',
    '$SYS/broker/subscriptions/count': '0',
    '$SYS/broker/retained messages/count': '0',
    ...load,
  })

  const sub = await RawClient.connect(broker.urls.mqtt, { clientId: 'sub', clean: false })
  await sub.client.subscribe('q', 1)
  await sub.client.disconnect()
  const { client: pub } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
  for (const messageId of [1, 2, 3]) {
    pub.send({
      cmd: 'publish',
      topic: 'q',
      payload: Buffer.from('x'),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    })
    await pub.next('puback')
  }

  timer.fire()
  await sys.publishNow()
  const changed = new Map<string, string>()
  const expected = {
    '$SYS/broker/clients/connected': '2', // watcher, pub
    '$SYS/broker/clients/disconnected': '1',
    '$SYS/broker/clients/total': '3',
    '$SYS/broker/store/messages/count': '3',
    '$SYS/broker/publish/messages/received': '3',
    '$SYS/broker/subscriptions/count': '2', // watcher's, sub's
    '$SYS/broker/retained messages/count': '30', // the $SYS topics of the first tick
  }
  while (Object.keys(expected).some((topic) => !changed.has(topic))) {
    const p = await watcher.next('publish')
    changed.set(p.topic, p.payload.toString())
  }
  await watcher.ping()
  for (const p of watcher.unread)
    if (p.cmd === 'publish') changed.set(p.topic, p.payload.toString())
  expect(Object.fromEntries(changed)).toMatchObject(expected)
  // unchanged since the last tick: not published again
  expect(changed.has('$SYS/broker/clients/expired')).toBe(false)
  expect(changed.has('$SYS/broker/publish/messages/dropped')).toBe(false)
  await sys.stop()
})
