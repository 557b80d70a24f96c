import { expect, test } from 'vitest'
import { RawClient } from '../helpers/raw-client.ts'
import { startLoggedBroker } from './logged-broker.ts'

test('as text: "already connected, closing old connection", with the address of the new one', async () => {
  const { broker, log } = await startLoggedBroker()
  const old = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1', clean: false })
  await log.line(/client dev1 connected/)
  // the new connection over WebSocket, the old over TCP
  await RawClient.connect(broker.urls.ws, { clientId: 'dev1', clean: false })
  await old.client.waitClosed()

  const newConnect = await log.line(/client dev1 connected .*session present=1/)
  const address = /connected from (\S+) /.exec(newConnect.line)?.[1]
  expect((await log.line(/client dev1 already connected/)).line).toMatch(
    new RegExp(
      `info  client dev1 already connected, closing old connection: new connection from ${asPattern(address)}\\n$`,
    ),
  )
})

test('as JSON: a disconnect with reason takeover and takenOverBy', async () => {
  const { broker, log } = await startLoggedBroker({}, { format: 'json' })
  const old = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1' })
  await RawClient.connect(broker.urls.mqtt, { clientId: 'dev1' })
  await old.client.waitClosed()

  const line = await log.json({ event: 'disconnect', reason: 'takeover' })
  expect(line).toMatchObject({ level: 'info', clientId: 'dev1' })
  expect(line.takenOverBy).toMatch(/^127\.0\.0\.1:\d+$/)
  const connects = log.written.filter((w) => w.line.includes('"event":"connect"'))
  expect(connects.map((w) => JSON.parse(w.line).address)).toContain(line.takenOverBy)
})

function asPattern(text: string | undefined): string {
  return (text ?? 'no address').replace(/[.[\]]/g, '\\$&')
}
