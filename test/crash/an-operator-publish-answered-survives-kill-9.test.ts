import { expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { type ChildBroker, sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'
import { RawClient } from '../helpers/raw-client.ts'

const TOKEN = 'crash-test-operator'

function startOn(dataDir: string): Promise<ChildBroker> {
  return startChildBroker([...sqliteArgs(dataDir), '--admin-token', TOKEN])
}

// The operator's publish answers 200 only once the message is committed for
// the offline persistent sessions, as a PUBACK does for a client's: killed
// the moment the answer arrives, the broker still delivers it after restart.
test('a QoS 1 publish the API answered is delivered after a kill -9 and a restart', async () => {
  const dataDir = tempDir('sessionlab-operator-publish-')
  const first = await startOn(dataDir)
  const [, http] = await first.printed(/HTTP API\s+(https?:\/\/\S+)\n/)
  const { client } = await RawClient.connect(first.mqttUrl, { clientId: 'dev1', clean: false })
  await client.subscribe('plant/#', 1)
  await client.disconnect()

  const answer = await fetch(`${http}/api/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'plant/boiler/setpoint', payload: '82', qos: 1 }),
  })
  expect(answer.status).toBe(200)
  expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL')

  const second = await startOn(dataDir)
  const { client: dev } = await RawClient.connect(second.mqttUrl, {
    clientId: 'dev1',
    clean: false,
  })
  const delivered = await dev.next('publish')
  expect(delivered).toMatchObject({ topic: 'plant/boiler/setpoint', qos: 1 })
  expect(String(delivered.payload)).toBe('82')
})
