import type { IConnackPacket, Packet } from 'mqtt-packet'
import { onTestFinished } from 'vitest'
import { Peer, type PeerOptions } from './harness/peer.ts'

export { Condition } from './harness/peer.ts'
export { seededRandom } from './harness/random.ts'
export type { PeerOptions }

/** The harness's packet-level connection, closed when the current test ends. */
export type MqttPeer = Peer

export const MqttPeer = {
  /** Connects; packets that follow the CONNACK (even in its chunk) go to `onPacket`. */
  async connect(
    url: string,
    options: PeerOptions,
    onPacket: (packet: Packet, peer: Peer) => void = () => {},
  ): Promise<{ peer: Peer; connack: IConnackPacket }> {
    const connected = await Peer.connect(url, options, onPacket)
    onTestFinished(() => connected.peer.destroy())
    return connected
  },
}
