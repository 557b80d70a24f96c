import type { IClientOptions } from 'mqtt'
import { expect, it } from 'vitest'
import type { Config } from '../../broker/config.ts'
import { startBroker } from '../helpers/broker.ts'
import { connackOf, connect5, open5 } from '../helpers/mqtt5.ts'
import { PASSWD_7 } from './auth-helpers.ts'

// MQTT 5 refuses a CONNECT with a CONNACK reason code of 0x80 or above and
// closes the connection [MQTT-3.2.2-7]; the 3.1.1 return codes map to them
// [MQTT-3.2.2-8] (3.1.1 clients keep getting the return codes, see the
// other tests of this folder).
async function refusal(config: Partial<Config>, options: IClientOptions) {
  const broker = await startBroker({ store: 'memory', ...config })
  const client = open5(broker.urls.mqtt, options)
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
  const connack = await connackOf(client)
  await closed
  return { broker, connack }
}

it.each([
  [
    'bad user name or password: 0x86',
    { passwordFile: PASSWD_7 },
    { clientId: 'c1', username: 'alice', password: 'wrong' },
    0x86,
  ],
  [
    'not authorized (anonymous when it is not allowed): 0x87',
    { passwordFile: PASSWD_7, allowAnonymous: 'false' as const },
    { clientId: 'c1' },
    0x87,
  ],
  [
    'a ClientID over --max-client-id-length: 0x85',
    { maxClientIdLength: 23 },
    { clientId: 'é'.repeat(20) },
    0x85,
  ],
  [
    'an Authentication Method, which enhanced authentication would need: 0x8C',
    {},
    { clientId: 'c1', properties: { authenticationMethod: 'SCRAM-SHA-1' } },
    0x8c,
  ],
])('%s', async (_what, config, options, reasonCode) => {
  const { connack } = await refusal(config, options)
  expect([connack.reasonCode, connack.sessionPresent]).toEqual([reasonCode, false])
})

it('past --max-connections: 0x88 (server unavailable), as 3.1.1 gets 0x03', async () => {
  const broker = await startBroker({ store: 'memory', maxConnections: 1 })
  await connect5(broker.urls.mqtt, { clientId: 'a' })
  const client = open5(broker.urls.mqtt, { clientId: 'b' })
  expect((await connackOf(client)).reasonCode).toBe(0x88)
})
