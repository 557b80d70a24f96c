import { connect as netConnect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { onTestFinished } from 'vitest'

/**
 * Publishes `count` messages of `size` bytes to `topic` as fast as the broker
 * takes them: at QoS 1 with `window` unacknowledged, at QoS 0 as fast as the
 * socket drains. Resolves with the messages the broker accepted (PUBACKs at
 * QoS 1; everything written at QoS 0).
 */
export async function flood(
  url: string,
  options: {
    clientId: string
    topic: string
    qos: 0 | 1
    count: number
    size: number
    window?: number
  },
): Promise<number> {
  const u = new URL(url)
  const socket = netConnect(Number(u.port), u.hostname)
  onTestFinished(() => {
    socket.destroy()
  })
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  const parser = mqttPacket.parser()
  socket.on('data', (chunk: Buffer) => parser.parse(chunk))
  const payload = Buffer.alloc(options.size, 0x61)
  const publish = (messageId: number) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: options.topic,
      payload,
      qos: options.qos,
      messageId,
      dup: false,
      retain: false,
    })
  const connack = new Promise<void>((resolve) =>
    parser.once('packet', (packet: Packet) => {
      if (packet.cmd === 'connack' && packet.returnCode === 0) resolve()
    }),
  )
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: options.clientId,
      clean: true,
      keepalive: 0,
    } as Packet),
  )
  await connack
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))

  if (options.qos === 0) {
    for (let i = 1; i <= options.count && !socket.destroyed; i++) {
      if (!socket.write(publish(0))) await new Promise((resolve) => socket.once('drain', resolve))
    }
    // a PINGREQ round trip: the broker has read everything before it
    const pong = new Promise<void>((resolve) =>
      parser.on('packet', (packet: Packet) => packet.cmd === 'pingresp' && resolve()),
    )
    socket.write(mqttPacket.generate({ cmd: 'pingreq' }))
    await Promise.race([pong, closed])
    socket.destroy()
    return options.count
  }

  const window = options.window ?? 100
  let sent = 0
  let acked = 0
  const done = new Promise<void>((resolve) => {
    const fill = () => {
      while (sent < options.count && sent - acked < window)
        socket.write(publish((sent++ % 65535) + 1))
    }
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd !== 'puback') return
      acked++
      if (acked === options.count) resolve()
      else fill()
    })
    fill()
  })
  await Promise.race([done, closed])
  socket.destroy()
  return acked
}
