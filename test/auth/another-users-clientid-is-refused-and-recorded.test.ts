import { describe, expect, it } from 'vitest'
import { startBroker } from '../helpers/broker.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7 } from './auth-helpers.ts'

const alice = { username: 'alice', password: 'alice-secret' }
const bob = { username: 'bob', password: 'bob-secret' }

describe.each(['sqlite', 'memory'] as const)('on %s', (store) => {
  it.each([
    ['take over', false],
    ['wipe with CleanSession=1', true],
  ])(
    'refuses another user who would %s an offline session, with 0x05, and records it',
    async (_what, clean) => {
      const broker = await startBroker({ store, passwordFile: PASSWD_7 })
      const owner = await RawClient.connect(broker.urls.mqtt, {
        clientId: 'dev',
        clean: false,
        ...alice,
      })
      expect(await owner.client.subscribe('dev/cmd', 1)).toEqual([1])
      await owner.client.destroy()

      const thief = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean, ...bob })
      expect(thief.connack.returnCode).toBe(5)
      await thief.client.waitClosed()

      const view = await broker.sessions.get('dev')
      expect(view?.subscriptions).toEqual([{ topic: 'dev/cmd', qos: 1 }])
      expect(view?.history.at(-1)).toMatchObject({
        type: 'refused',
        username: 'bob',
        reason: 'ClientID has a persistent session of another user',
      })
      // the owner still resumes it
      const back = await RawClient.connect(broker.urls.mqtt, {
        clientId: 'dev',
        clean: false,
        ...alice,
      })
      expect(back.connack).toMatchObject({ returnCode: 0, sessionPresent: true })
    },
  )
})

it('refuses another user taking over a live connection, which stays connected', async () => {
  const broker = await startBroker({ store: 'memory', passwordFile: PASSWD_7 })
  const owner = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', ...alice })
  const thief = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', ...bob })
  expect(thief.connack.returnCode).toBe(5)
  await owner.client.ping()
  expect(owner.client.closed).toBe(false)
  expect((await broker.sessions.get('dev'))?.history.at(-1)).toMatchObject({
    type: 'refused',
    username: 'bob',
    reason: 'ClientID is connected as another user',
  })
})

it('refuses an anonymous client the session of a user', async () => {
  const broker = await startBroker({ store: 'memory', passwordFile: PASSWD_7 })
  const owner = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev',
    clean: false,
    ...alice,
  })
  await owner.client.destroy()
  const anon = await RawClient.connect(broker.urls.mqtt, { clientId: 'dev', clean: true })
  expect(anon.connack.returnCode).toBe(5)
})

it('lets the same user take over their own session', async () => {
  const broker = await startBroker({ store: 'memory', passwordFile: PASSWD_7 })
  const first = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev',
    clean: false,
    ...alice,
  })
  const second = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev',
    clean: false,
    ...alice,
  })
  expect(second.connack).toMatchObject({ returnCode: 0, sessionPresent: true })
  await first.client.waitClosed()
})
