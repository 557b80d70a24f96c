import mqttPacket from 'mqtt-packet'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'

// aedes 2.0.0-beta.1's PUBREL handler lets the second delete's rejection go
// unhandled, which exits the process: broker/aedes/safeguards.ts
const unhandled: unknown[] = []
const collect = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  unhandled.length = 0
  process.on('unhandledRejection', collect)
})
afterEach(() => {
  process.off('unhandledRejection', collect)
})

describe.each(['memory', 'sqlite'] as const)('on %s', (store) => {
  test('each gets its PUBCOMP [MQTT-4.3.3-2] and nothing is left unhandled', async () => {
    const broker = await startBroker({ store })
    const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'p', clean: false })
    client.send(publishPacket('t', 'x', 2, 7))
    await client.next('pubrec')
    const pubrel = mqttPacket.generate({ cmd: 'pubrel', messageId: 7 })
    client.writeRaw(Buffer.concat([pubrel, pubrel]))
    expect((await client.next('pubcomp')).messageId).toBe(7)
    expect((await client.next('pubcomp')).messageId).toBe(7)
    // a round trip later, a rejection of that read would have been reported
    await client.ping()
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).toEqual([])
    expect(client.closed).toBe(false)
  })
})
