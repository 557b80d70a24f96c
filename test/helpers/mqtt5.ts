import {
  connect,
  type IClientOptions,
  type IConnackPacket,
  type IDisconnectPacket,
  type IPublishPacket,
  type MqttClient,
} from 'mqtt'
import { onTestFinished } from 'vitest'

/** An MQTT 5 client of MQTT.js that never reconnects, closed when the test finishes. */
export function open5(url: string, options: IClientOptions = {}): MqttClient {
  const client = connect(url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  })
  // errors are awaited as events by the tests that expect them
  client.on('error', () => {})
  onTestFinished(() => {
    client.end(true)
  })
  return client
}

/** The CONNACK the broker answers, accepting or refusing. */
export function connackOf(client: MqttClient): Promise<IConnackPacket> {
  return new Promise((resolve, reject) => {
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') resolve(packet as IConnackPacket)
    })
    client.on('close', () => reject(new Error('closed without CONNACK')))
  })
}

/** An MQTT 5 client (or another version, given `protocolVersion`), connected (CONNACK 0x00). */
export async function connect5(
  url: string,
  options: IClientOptions = {},
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  const client = open5(url, options)
  const connack = await connackOf(client)
  const code = connack.reasonCode ?? connack.returnCode
  if (code !== 0) throw new Error(`refused: 0x${code?.toString(16)}`)
  if (!client.connected) await new Promise((resolve) => client.once('connect', resolve))
  return { client, connack }
}

/** The next PUBLISH the client receives. */
export function nextMessage(client: MqttClient): Promise<IPublishPacket> {
  return new Promise((resolve) =>
    client.once('message', (_topic, _payload, packet) => resolve(packet)),
  )
}

/**
 * The next `count` PUBLISHes the client receives, listened for from now:
 * messages may arrive right after CONNACK, before the test awaits them.
 */
export function messages(client: MqttClient, count: number): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = []
  return new Promise((resolve) => {
    const onMessage = (_topic: string, _payload: Buffer, packet: IPublishPacket) => {
      got.push(packet)
      if (got.length < count) return
      client.off('message', onMessage)
      resolve(got)
    }
    client.on('message', onMessage)
  })
}

/** The DISCONNECT the broker sends the client [MQTT-3.14.0-1]. */
export function nextDisconnect(client: MqttClient): Promise<IDisconnectPacket> {
  return new Promise((resolve) => client.once('disconnect', resolve))
}
