import { expect, test } from 'vitest'
import { ManualClock } from '../helpers/manual-clock.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { LOG_TIME_TEXT, startLoggedBroker } from './logged-broker.ts'

test('a persistent session that expires is logged with how long it was offline', async () => {
  const clock = new ManualClock()
  const { broker, log } = await startLoggedBroker({ sessionExpiry: 60 }, { clock })
  const changes = new SessionChanges(broker.sessions)
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'gone', clean: false })
  await client.destroy()
  await changes.next('disconnect', 'gone')

  clock.advance(90_000)

  await changes.next('expired', 'gone')
  expect((await log.line(/expired/)).line).toBe(
    `${LOG_TIME_TEXT} info  session gone expired after 90 s offline\n`,
  )
})

test('an operator’s delete is logged, as JSON with its event', async () => {
  const { broker, log } = await startLoggedBroker({}, { format: 'json' })
  const { client } = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: false })
  await client.disconnect()
  await log.json({ event: 'disconnect' })

  expect(await broker.sessions.delete('dev')).toBe(true)

  expect(await log.json({ event: 'deleted' })).toMatchObject({
    level: 'info',
    clientId: 'dev',
    by: 'admin',
    msg: 'session dev deleted by an operator',
  })
})
