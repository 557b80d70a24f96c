import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { startBroker, transports, urlFor } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { brokerWithBystander, closesOn } from './closes.ts'
import { connectFrame, publishFrame, subscribeFrame, unsubscribeFrame } from './frames.ts'

// [MQTT-1.5.3-1]: a string that is not well-formed UTF-8 (a surrogate, an
// overlong form, a cut sequence) closes the connection; [MQTT-1.5.3-2]: so
// does U+0000. Control characters and non-characters are a SHOULD NOT the
// receiver may close for: SessionLab closes, as Mosquitto does
// (docs/session-rules.md). After CONNECT: no CONNACK. MQTT 5 has the same
// rules [MQTT-1.5.4-1/2]: a v5 case goes beside these.

const BAD: [string, Buffer][] = [
  ['U+0000', Buffer.from('a\u0000b')],
  ['a surrogate (ED BF BF)', Buffer.from([0x61, 0xed, 0xbf, 0xbf])],
  ['an overlong "/" (C0 AF)', Buffer.from([0x61, 0xc0, 0xaf])],
  ['a cut sequence (E2 82)', Buffer.from([0x61, 0xe2, 0x82])],
  ['the control character U+0001', Buffer.from('a\u0001b')],
  ['the C1 control U+0085', Buffer.from('a\u0085b')],
  ['the non-character U+FFFF', Buffer.from('a\uffffb')],
]

/** Accepted: UTF-8 beyond ASCII that breaks no rule (U+FEFF too [MQTT-1.5.3-3]). */
const GOOD = ['café/température', 'a\u{1f600}b', '\ufeffbom', '日本/東京']

/** The field a bad string goes in, and whether it is sent after a CONNACK. */
const FIELDS: [string, (bad: Buffer) => Buffer, boolean][] = [
  ['a PUBLISH topic', (bad) => publishFrame(bad), true],
  ['a SUBSCRIBE filter', (bad) => subscribeFrame(bad), true],
  ['an UNSUBSCRIBE filter', (bad) => unsubscribeFrame([bad]), true],
  ['the ClientID', (bad) => connectFrame({ clientId: bad }), false],
  ['the Will topic', (bad) => connectFrame({ will: { topic: bad } }), false],
  ['the user name', (bad) => connectFrame({ username: bad }), false],
]

describe.each(transports)('over %s (MQTT 3.1.1)', (transport) => {
  test.each(FIELDS)(
    'ill-formed UTF-8, U+0000 or a control character in %s closes that connection only',
    async (_field, make, connected) => {
      const { url, untouched } = await brokerWithBystander(transport)
      for (const [, bad] of BAD) {
        const client = await closesOn(url, make(bad), connected)
        // a refused CONNECT gets no CONNACK
        if (!connected) expect(client.unread).toEqual([])
      }
      await untouched()
    },
  )

  test('well-formed UTF-8 beyond ASCII is accepted everywhere', async () => {
    const broker = await startBroker({ store: 'memory' })
    const url = urlFor(broker, transport)
    for (const good of GOOD) {
      const client = await RawClient.open(url)
      client.writeRaw(connectFrame({ clientId: good, will: { topic: good }, username: good }))
      expect((await client.next('connack')).returnCode).toBe(0)
      client.writeRaw(subscribeFrame(good, 1))
      expect((await client.next('suback')).granted).toEqual([1])
      client.writeRaw(publishFrame(good, 1, 2))
      expect((await client.next('publish')).topic).toBe(good)
      client.writeRaw(unsubscribeFrame([good], 3))
      await client.next('unsuback')
    }
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test.each(FIELDS)(
    'closes the connection on each bad string in %s',
    async (_field, make, connected) => {
      const url = await startMosquitto()
      for (const [, bad] of BAD) {
        const client = await closesOn(url, make(bad), connected)
        if (!connected) expect(client.unread).toEqual([])
      }
    },
  )
})
