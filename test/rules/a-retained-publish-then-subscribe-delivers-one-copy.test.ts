import mqtt from 'mqtt'
import { describe, expect, test } from 'vitest'
import { urlFor } from '../helpers/broker.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// A new subscription gets the last retained message of each matching topic
// [MQTT-3.3.1-6] [MQTT-3.8.4-3], and from then on every message published to
// it [MQTT-3.8.4-4]: a message published retained as the SUBSCRIBE arrives
// comes one way or the other, never both (Mosquitto routes and retains in one
// step). Several rounds at once, so the race is run, not hoped for.
const ROUNDS = 20

function nextMessage(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('message', () => resolve()))
}

describe.each(transportsAndAllStores)('over %s on %s', (transport, store) => {
  test.each([true, false])(
    'a client (clean %s) that publishes retained at QoS 1 and at once subscribes gets each message once',
    async (clean) => {
      const { broker } = await startOn(store)
      const url = urlFor(broker(), transport)
      const client = await mqtt.connectAsync(url, { clientId: 'c1', clean, reconnectPeriod: 0 })
      const got: string[] = []
      client.on('message', (topic, payload) => got.push(`${topic}=${payload}`))

      // the fence: a retained message read by a SUBSCRIBE sent after all the others
      await client.publishAsync('fence/x', 'f', { qos: 1, retain: true })
      const acks: Promise<unknown>[] = []
      for (let i = 0; i < ROUNDS; i++) {
        acks.push(client.publishAsync(`t/${i}`, `m${i}`, { qos: 1, retain: true }))
        acks.push(client.subscribeAsync(`t/${i}`, { qos: 1 }))
      }
      await Promise.all(acks)
      while (got.length < ROUNDS) await nextMessage(client)
      await client.subscribeAsync('fence/#', { qos: 1 })
      while (!got.includes('fence/x=f')) await nextMessage(client)

      const expected = Array.from({ length: ROUNDS }, (_, i) => `t/${i}=m${i}`)
      expect(got.filter((m) => m !== 'fence/x=f').sort()).toEqual(expected.sort())
      await client.endAsync()
    },
  )
})
