import { connect as netConnect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { onTestFinished } from 'vitest'

/**
 * A subscriber that connects, subscribes, and then stops reading its socket
 * (`pause()`): the kernel's buffers fill, then the broker's. A paused socket
 * never reads the broker's FIN, so whether the broker gave up on it is read
 * from the broker (`sessionlab_connections`). Destroyed when the test ends.
 */
export async function openStalledSubscriber(
  url: string,
  options: { clientId: string; clean: boolean; filter: string; qos: 0 | 1 },
): Promise<void> {
  const u = new URL(url)
  const socket = netConnect(Number(u.port), u.hostname)
  onTestFinished(() => {
    socket.destroy()
  })
  socket.on('error', () => {})
  const parser = mqttPacket.parser()
  const suback = new Promise<void>((resolve, reject) => {
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'suback') resolve()
    })
    socket.once('close', () => reject(new Error(`${options.clientId} closed before SUBACK`)))
  })
  socket.on('data', (chunk: Buffer) => parser.parse(chunk))
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  const send = (packet: Packet) => socket.write(mqttPacket.generate(packet))
  send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: options.clientId,
    clean: options.clean,
    keepalive: 0,
  } as Packet)
  send({
    cmd: 'subscribe',
    messageId: 1,
    subscriptions: [{ topic: options.filter, qos: options.qos }],
  })
  await suback
  socket.removeAllListeners('data')
  socket.pause()
}
