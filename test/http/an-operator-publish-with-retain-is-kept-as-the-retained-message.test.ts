import { expect, test } from 'vitest'
import type { RetainedPage } from '../../broker/operator/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { call } from './http-client.ts'

function publishRetained(topic: string, payload: string, qos: 0 | 1 = 1) {
  return {
    method: 'POST',
    token: true as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic, payload, qos, retain: true }),
  }
}

test.each(['sqlite', 'memory'] as const)(
  'on %s, a retained publish is listed and sent to later subscribers; an empty one clears it',
  async (store) => {
    const broker = await startBroker({ store })

    const answer = await call(broker, '/api/publish', publishRetained('plant/mode', 'eco'))
    expect(answer.status).toBe(200)

    const listed = await call<RetainedPage>(broker, '/api/retained?prefix=plant/')
    expect(listed.body.retained).toEqual([
      { topic: 'plant/mode', qos: 1, payloadBytes: 3, preview: 'eco', previewKind: 'text' },
    ])
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'later' })
    await client.subscribe('plant/#', 1)
    const got = await client.next('publish')
    // [MQTT-3.3.1-8]: a retained message sent for a new subscription carries RETAIN=1
    expect(got).toMatchObject({ topic: 'plant/mode', retain: true, qos: 1 })
    expect(String(got.payload)).toBe('eco')

    // [MQTT-3.3.1-10]: a zero-length retained payload removes the retained message
    await call(broker, '/api/publish', publishRetained('plant/mode', '', 0))
    expect((await call<RetainedPage>(broker, '/api/retained')).body.retained).toEqual([])
  },
)
