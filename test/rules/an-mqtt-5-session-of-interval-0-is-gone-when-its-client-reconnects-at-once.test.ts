import { describe, expect, test } from 'vitest'
import { urlFor } from '../helpers/broker.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { startOn, transportsAndAllStores } from './stores.ts'

// A session of Session Expiry Interval 0 ends as its connection closes
// [MQTT-3.1.2-23]; a CONNECT that follows at once, with Clean Start 0, finds
// none [MQTT-3.2.2-2]. The end is several store calls (several round trips on
// Redis), so a reconnect that raced them used to get session present 1.

const ROUNDS = 20

describe.each(transportsAndAllStores)('over %s on %s', (transport, store) => {
  test(`${ROUNDS} reconnects at once after an interval-0 session each find no session`, async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    const present: boolean[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const { client, connack } = await connect5(url, { clientId: 'dev', clean: false })
      present.push(connack.sessionPresent)
      await client.subscribeAsync('jobs', { qos: 1 })
      await client.endAsync()
    }
    expect(present).toEqual(Array(ROUNDS).fill(false))
  })
})
