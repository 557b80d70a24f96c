import type { IPublishPacket } from 'mqtt-packet'
import { expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { type ChildBroker, sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'
import { Condition, MqttPeer } from './mqtt-peer.ts'

const PATIENCE_MS = 10_000
const REPUBLISHED = /published (\d+) Will\(s\) left by the previous run/

function startOn(dataDir: string): Promise<ChildBroker> {
  return startChildBroker(sqliteArgs(dataDir))
}

async function subscribeOffline(broker: ChildBroker, clientId: string): Promise<void> {
  let granted: (codes: number[]) => void = () => {}
  const suback = new Promise<number[]>((resolve) => {
    granted = resolve
  })
  const { peer } = await MqttPeer.connect(broker.mqttUrl, { clientId, clean: false }, (packet) => {
    if (packet.cmd === 'suback') granted(packet.granted as number[])
  })
  peer.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'will/#', qos: 1 }] })
  expect(await suback).toEqual([1])
  await peer.disconnect()
}

/** Publishes a QoS 1 marker and waits for its PUBACK: it is now queued behind anything older. */
async function publishMarker(broker: ChildBroker, payload: string): Promise<void> {
  let done = false
  const check = new Condition(() => done)
  const { peer } = await MqttPeer.connect(
    broker.mqttUrl,
    { clientId: 'marker', clean: true },
    (p) => {
      if (p.cmd === 'puback') {
        done = true
        check.poke()
      }
    },
  )
  peer.send({
    cmd: 'publish',
    topic: 'will/marker',
    payload: Buffer.from(payload),
    qos: 1,
    messageId: 1,
    dup: false,
    retain: false,
  })
  await check.within(PATIENCE_MS, () => 'no PUBACK for the marker')
  await peer.disconnect()
}

/** Resumes the session and takes (PUBACKs) every message up to and including the marker. */
async function receiveUntilMarker(
  broker: ChildBroker,
  clientId: string,
  marker: string,
): Promise<IPublishPacket[]> {
  const received: IPublishPacket[] = []
  let leaving = false
  const reached = new Condition(() => leaving)
  const { peer, connack } = await MqttPeer.connect(
    broker.mqttUrl,
    { clientId, clean: false },
    (packet, peer) => {
      if (leaving || packet.cmd !== 'publish') return
      peer.send({ cmd: 'puback', messageId: packet.messageId })
      if (packet.topic === 'will/marker' && packet.payload.toString() === marker) {
        leaving = true
        reached.poke()
      } else {
        received.push(packet)
      }
    },
  )
  expect(connack.sessionPresent).toBe(true)
  await reached.within(PATIENCE_MS, () => `the marker "${marker}" never arrived`)
  await peer.disconnect()
  return received
}

it('publishes the Will of a client connected at a kill -9 once, after the restart', async () => {
  const dataDir = tempDir('sessionlab-wills-')
  const first = await startOn(dataDir)
  await subscribeOffline(first, 'will-watcher')
  await MqttPeer.connect(first.mqttUrl, {
    clientId: 'will-owner',
    clean: true,
    will: { topic: 'will/owner', payload: 'owner vanished', qos: 1 },
  })
  // CONNACK came: the Will is stored [MQTT-3.1.2-8]
  expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL')

  const second = await startOn(dataDir)
  // printed after the addresses, so maybe not read yet when start-up resolved
  expect((await second.printed(REPUBLISHED))[1]).toBe('1')
  await publishMarker(second, 'after the first restart')
  const afterFirst = await receiveUntilMarker(second, 'will-watcher', 'after the first restart')
  expect(
    afterFirst.map((p) => ({
      topic: p.topic,
      payload: p.payload.toString(),
      qos: p.qos,
      dup: p.dup,
    })),
  ).toEqual([{ topic: 'will/owner', payload: 'owner vanished', qos: 1, dup: false }])

  // Killed again: the Will was published, so it is not the next run's to publish.
  expect((await second.kill('SIGKILL')).signal).toBe('SIGKILL')
  const third = await startOn(dataDir)
  await publishMarker(third, 'after the second restart')
  const afterSecond = await receiveUntilMarker(third, 'will-watcher', 'after the second restart')
  // A PUBACK the kill beat to the disk may bring a DUP=1 resend (QoS 1 allows
  // it); a fresh copy (DUP=0) would be the Will published a second time.
  const fresh = afterSecond.filter((p) => p.topic === 'will/owner' && !p.dup)
  expect(fresh).toEqual([])
  const resent = afterSecond.filter((p) => p.dup).map((p) => `${p.topic} "${p.payload}"`)
  // Read once it exited, when all it printed is in.
  expect((await third.kill('SIGKILL')).stdout).not.toMatch(REPUBLISHED)
  console.log(`after the second restart: ${resent.length} QoS 1 resends (${resent.join(', ')})`)
})
