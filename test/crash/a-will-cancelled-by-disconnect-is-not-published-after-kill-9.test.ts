import { expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { type ChildBroker, sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'
import { MqttPeer } from './mqtt-peer.ts'

const REPUBLISHED = /published (\d+) Will\(s\) left by the previous run/

function startOn(dataDir: string): Promise<ChildBroker> {
  return startChildBroker(sqliteArgs(dataDir))
}

// [MQTT-3.14.4-3]: on DISCONNECT the Will is discarded without being
// published. The broker answers DISCONNECT by closing the connection, so
// once the client sees the close, a crash must not bring the Will back.
it.each([true, false])(
  'does not publish, after a kill -9, the Will of a client (clean=%s) that sent DISCONNECT',
  async (clean) => {
    const dataDir = tempDir('sessionlab-wills-')
    const first = await startOn(dataDir)
    const { peer } = await MqttPeer.connect(first.mqttUrl, {
      clientId: 'polite-owner',
      clean,
      will: { topic: 'will/polite', payload: 'polite owner vanished', qos: 1 },
    })
    await peer.disconnect()
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL')

    const second = await startOn(dataDir)
    // Read once it exited, when all it printed is in.
    expect((await second.kill('SIGKILL')).stdout).not.toMatch(REPUBLISHED)
  },
)
