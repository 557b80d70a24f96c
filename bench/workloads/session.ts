import type { IConnackPacket, IConnectPacket } from 'mqtt-packet'
import type { Target } from '../types.ts'
import { PacketSocket } from './packet-socket.ts'

export function connectPacket(clientId: string, clean: boolean): IConnectPacket {
  return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean, keepalive: 0 }
}

/** Throws unless the broker accepted the connection [MQTT-3.2.2-5]. */
export function checkConnack(connack: IConnackPacket, label: string): void {
  if ((connack.returnCode ?? 0) !== 0) {
    throw new Error(`${label}: CONNACK refused with return code ${connack.returnCode}`)
  }
}

/** TCP connect, CONNECT, wait for an accepting CONNACK. */
export async function openSession(
  target: Target,
  clientId: string,
  clean: boolean,
): Promise<PacketSocket> {
  const socket = await PacketSocket.connect(target, clientId)
  const connack = socket.next('connack')
  socket.send(connectPacket(clientId, clean))
  checkConnack(await connack, clientId)
  return socket
}

/** SUBSCRIBE at `qos`; throws unless that QoS was granted [MQTT-3.9.3-1]. */
export async function subscribe(
  socket: PacketSocket,
  topic: string,
  qos: 0 | 1 | 2,
): Promise<void> {
  const suback = socket.next('suback')
  socket.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] })
  const granted = (await suback).granted[0]
  if (granted !== qos) {
    throw new Error(`${socket.label}: SUBACK granted ${String(granted)}, not ${qos}`)
  }
}

export const subscribeQos1 = (socket: PacketSocket, topic: string): Promise<void> =>
  subscribe(socket, topic, 1)
