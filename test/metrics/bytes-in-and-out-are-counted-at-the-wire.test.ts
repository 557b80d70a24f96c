import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import mqttPacket from 'mqtt-packet'
import { expect, onTestFinished, test } from 'vitest'
import { createWebSocketStream, WebSocket } from 'ws'
import { sysValues } from '../../broker/sys.ts'
import { startBroker, type Transport, transports, urlFor } from '../helpers/broker.ts'
import { call } from '../http/http-client.ts'
import { sample } from './prom-text.ts'

/** A byte stream to the broker over `transport`, and a wait for the bytes it has read so far. */
async function open(url: string, transport: Transport) {
  let stream: Duplex
  if (transport === 'tcp') {
    const { port, hostname } = new URL(url)
    const socket = netConnect(Number(port), hostname)
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    stream = socket
  } else {
    const ws = new WebSocket(url, 'mqtt')
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    stream = createWebSocketStream(ws)
  }
  onTestFinished(() => {
    stream.destroy()
  })
  let read = 0
  let waiting: { bytes: number; resolve: () => void } | null = null
  stream.on('data', (chunk: Buffer) => {
    read += chunk.length
    if (waiting && read >= waiting.bytes) waiting.resolve()
  })
  return {
    /** Sends `packet` and resolves once the answer of `answerBytes` has been read. */
    exchange(packet: mqttPacket.Packet, answerBytes: number): Promise<number> {
      const bytes = mqttPacket.generate(packet)
      const until = read + answerBytes
      const answered = new Promise<void>((resolve) => {
        waiting = { bytes: until, resolve }
      })
      stream.write(bytes)
      return answered.then(() => bytes.length)
    },
  }
}

test.each(transports)(
  'over %s, the MQTT bytes read and written are counted, in $SYS and /metrics',
  async (transport) => {
    const broker = await startBroker({ store: 'memory', sysInterval: 0 })
    const client = await open(urlFor(broker, transport), transport)
    let sentByClient = 0
    const connect = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'counted',
      clean: true,
      keepalive: 0,
    } as const
    sentByClient += await client.exchange(connect, 4) // CONNACK
    const subscribe = { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] }
    sentByClient += await client.exchange(subscribe as mqttPacket.Packet, 5) // SUBACK
    sentByClient += await client.exchange({ cmd: 'pingreq' }, 2) // PINGRESP

    const values = await sysValues(broker.stats)
    expect(values['$SYS/broker/bytes/received']).toBe(String(sentByClient))
    expect(values['$SYS/broker/bytes/sent']).toBe('11')

    const metrics = (await call<string>(broker, '/metrics')).text
    expect(sample(metrics, 'sessionlab_bytes_total', { direction: 'received' })).toBe(sentByClient)
    expect(sample(metrics, 'sessionlab_bytes_total', { direction: 'sent' })).toBe(11)
  },
)
