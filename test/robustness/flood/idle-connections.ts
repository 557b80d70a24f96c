import { connect as netConnect, type Socket } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'

/**
 * Opens `count` MQTT connections (CleanSession=1, keepalive 0, `<prefix>-<i>`),
 * `parallel` at a time, each sending CONNECT and waiting for CONNACK 0; then
 * they sit idle. Resolves with the sockets, for the caller to destroy.
 */
export async function openIdleConnections(
  url: string,
  count: number,
  options: { prefix: string; parallel: number },
): Promise<Socket[]> {
  const u = new URL(url)
  const sockets: Socket[] = []
  const connectOne = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = netConnect(Number(u.port), u.hostname)
      sockets.push(socket)
      const parser = mqttPacket.parser()
      parser.once('packet', (packet: Packet) => {
        socket.removeAllListeners('data')
        if (packet.cmd === 'connack' && packet.returnCode === 0) resolve()
        else reject(new Error(`connection ${i}: ${packet.cmd} ${JSON.stringify(packet)}`))
      })
      socket.on('data', (chunk: Buffer) => parser.parse(chunk))
      socket.once('error', reject)
      socket.once('close', () => reject(new Error(`connection ${i} closed before CONNACK`)))
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: `${options.prefix}-${i}`,
          clean: true,
          keepalive: 0,
        } as Packet),
      )
    })
  let next = 0
  const worker = async () => {
    while (next < count) await connectOne(next++)
  }
  try {
    await Promise.all(Array.from({ length: options.parallel }, worker))
  } catch (err) {
    for (const socket of sockets) socket.destroy()
    throw err
  }
  return sockets
}
