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
  // from the start: a queued message may come in CONNACK's own chunk, before
  // the test has the client in hand
  const inbox: Inbox = { messages: [], waiting: [] }
  inboxes.set(client, inbox)
  client.on('message', (_topic, _payload, packet) => {
    const wake = inbox.waiting.shift()
    if (wake) wake(packet)
    else inbox.messages.push(packet)
  })
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

/** The PUBLISHes a client of `open5` received and no test took yet, and the tests waiting for one. */
interface Inbox {
  messages: IPublishPacket[]
  waiting: ((packet: IPublishPacket) => void)[]
}
const inboxes = new WeakMap<MqttClient, Inbox>()

/**
 * The next PUBLISH of `client` that no test took yet: for a client of
 * `open5`/`connect5` its inbox holds everything since it was opened, so one
 * that came right after CONNACK is not missed.
 */
export function nextMessage(client: MqttClient): Promise<IPublishPacket> {
  const inbox = inboxes.get(client)
  if (!inbox) {
    return new Promise((resolve) =>
      client.once('message', (_topic, _payload, packet) => resolve(packet)),
    )
  }
  const queued = inbox.messages.shift()
  if (queued) return Promise.resolve(queued)
  return new Promise((resolve) => inbox.waiting.push(resolve))
}

/** The next `count` PUBLISHes of `client` that no test took yet (see `nextMessage`). */
export async function messages(client: MqttClient, count: number): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = []
  while (got.length < count) got.push(await nextMessage(client))
  return got
}

/** The DISCONNECT the broker sends the client [MQTT-3.14.0-1]. */
export function nextDisconnect(client: MqttClient): Promise<IDisconnectPacket> {
  return new Promise((resolve) => client.once('disconnect', resolve))
}
