import { expect, test } from 'vitest'
import type { RetainedPage } from '../../broker/operator/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call, type ErrorAnswer } from './http-client.ts'

async function retain(client: RawClient, topic: string, payload: string | Buffer, qos: 0 | 1) {
  client.send({ ...publishPacket(topic, payload, qos, 1), retain: true })
  if (qos === 1) await client.next('puback')
  else await client.ping()
}

test.each(['sqlite', 'memory'] as const)(
  'on %s, retained messages are listed in topic order, by prefix, a page at a time',
  async (store) => {
    const broker = await startBroker({ store })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'pub' })
    await retain(client, 'plant/b', '21.5', 1)
    await retain(client, 'plant/a', Buffer.from([0xff, 0xfe]), 0)
    await retain(client, 'plant/c', 'bell\u0007', 1)
    await retain(client, 'plant/gone', 'soon', 1)
    await retain(client, 'plant/gone', '', 1) // an empty payload clears it [MQTT-3.3.1-10]
    await retain(client, 'yard/gate', 'open', 1)

    const first = await call<RetainedPage>(broker, '/api/retained?prefix=plant/&limit=2')
    expect(first.status).toBe(200)
    expect(first.body.retained).toEqual([
      { topic: 'plant/a', qos: 0, payloadBytes: 2, preview: 'fffe', previewKind: 'hex' },
      { topic: 'plant/b', qos: 1, payloadBytes: 4, preview: '21.5', previewKind: 'text' },
    ])
    expect(first.body.next).not.toBeNull()
    const cursor = encodeURIComponent(first.body.next as string)
    const second = await call<RetainedPage>(
      broker,
      `/api/retained?prefix=plant/&limit=2&cursor=${cursor}`,
    )
    // a control character is never shown raw
    expect(second.body.retained).toEqual([
      { topic: 'plant/c', qos: 1, payloadBytes: 5, preview: '62656c6c07', previewKind: 'hex' },
    ])
    expect(second.body.next).toBeNull()

    const all = await call<RetainedPage>(broker, '/api/retained')
    expect(all.body.retained.map((r) => r.topic)).toEqual([
      'plant/a',
      'plant/b',
      'plant/c',
      'yard/gate',
    ])
  },
)

test.each([
  ['/api/retained?limit=abc', 'BAD_REQUEST'],
  ['/api/retained?cursor=%25%25', 'BAD_CURSOR'],
  ['/api/retained?state=online', 'BAD_REQUEST'],
])('%s is refused with %s', async (path, code) => {
  const broker = await startBroker({ store: 'memory' })
  const answer = await call<ErrorAnswer>(broker, path)
  expect(answer.status).toBe(400)
  expect(answer.body.error.code).toBe(code)
})
