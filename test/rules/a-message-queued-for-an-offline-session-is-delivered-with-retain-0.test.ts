import { spawn } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { mosquittoAvailable, startMosquitto } from '../clients/mosquitto.ts'
import { urlFor } from '../helpers/broker.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { durableStores, startOn, transportsAndAllStores } from './stores.ts'

// [MQTT-3.3.1-9]: a PUBLISH sent because it matches an established
// subscription carries RETAIN=0, however it was published; only a PUBLISH
// sent as the answer to a SUBSCRIBE carries RETAIN=1 [MQTT-3.3.1-8]. A
// message queued while the session was offline is of the first kind. (In
// MQTT 5 the flag follows the subscription's Retain As Published.)

/** A persistent session subscribed to plant/# at QoS 1, then offline. */
async function offlineSession(url: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
  await client.subscribe('plant/#', 1)
  await client.disconnect()
}

async function publishRetained(url: string, payload: string): Promise<void> {
  const { client } = await RawClient.connect(url, { clientId: 'pub' })
  client.send({ ...publishPacket('plant/boiler', payload, 1), retain: true })
  await client.next('puback')
  await client.disconnect()
}

describe.each(transportsAndAllStores)('over %s on %s (MQTT 3.1.1)', (transport, store) => {
  test('the queued copy of a retained message comes with RETAIN=0, and a new SUBSCRIBE brings the retained copy with RETAIN=1', async () => {
    const { broker } = await startOn(store)
    const url = urlFor(broker(), transport)
    await offlineSession(url)
    await publishRetained(url, '81')

    const { client } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
    const queued = await client.next('publish')
    expect([queued.topic, queued.payload.toString(), queued.retain]).toEqual([
      'plant/boiler',
      '81',
      false,
    ])
    client.send({ cmd: 'puback', messageId: queued.messageId as number })
    await client.ping()
    expect(client.unread).toEqual([])

    // [MQTT-3.8.4-3]: a SUBSCRIBE that replaces a subscription sends the retained messages again
    await client.subscribe('plant/#', 1, 2)
    const retained = await client.next('publish')
    expect([retained.payload.toString(), retained.retain]).toEqual(['81', true])
  })
})

describe.each(durableStores)('on %s, across a restart (MQTT 3.1.1)', (store) => {
  test('a resumed session gets the queued copy once, with RETAIN=0, and no retained copy unasked', async () => {
    const { broker, restart } = await startOn(store)
    await offlineSession(broker().urls.mqtt)
    await publishRetained(broker().urls.mqtt, '81')
    const url = (await restart()).urls.mqtt

    const { client, connack } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
    expect(connack.sessionPresent).toBe(true)
    const queued = await client.next('publish')
    expect([queued.payload.toString(), queued.retain]).toEqual(['81', false])
    client.send({ cmd: 'puback', messageId: queued.messageId as number })
    // a resumed subscription sends no retained message (§3.1.2.4): nothing else comes
    await client.ping()
    expect(client.unread).toEqual([])
  })
})

describe.runIf(mosquittoAvailable())('Mosquitto 2.0.11, the reference', () => {
  test('delivers the queued copy of a retained message with RETAIN=0', async () => {
    const url = await startMosquitto()
    await offlineSession(url)
    await publishRetained(url, '81')
    const { client } = await RawClient.connect(url, { clientId: 'dev1', clean: false })
    const queued = await client.next('publish')
    expect([queued.payload.toString(), queued.retain]).toEqual(['81', false])
  })

  test('mosquitto_sub -c shows the queued copy with RETAIN=0, then the retained copy its SUBSCRIBE asks for', async () => {
    const url = await startMosquitto()
    const port = new URL(url).port
    const sub = ['-p', port, '-c', '-i', 'dev1', '-q', '1', '-t', 'plant/#', '-F', '%r %p']
    await run('/usr/bin/mosquitto_sub', [...sub, '-E'])
    await publishRetained(url, '81')
    expect(await run('/usr/bin/mosquitto_sub', [...sub, '-C', '2'])).toBe('0 81\n1 81\n')
  })
})

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}`)),
    )
  })
}
