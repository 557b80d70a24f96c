import mqtt from 'mqtt-packet'
import type { Target } from '../types.ts'
import type { PacketSocket } from './packet-socket.ts'
import { PAYLOAD_BYTES } from './publisher.ts'
import { openSession, subscribeQos1 } from './session.ts'

export const sessionId = (i: number): string => `bench-s${String(i).padStart(6, '0')}`
export const sessionTopic = (i: number): string => `bench/dev/${i}/cmd`

/**
 * Creates `count` persistent sessions, each with one QoS 1 subscription to
 * its own topic, and leaves them offline (DISCONNECT). `parallel` sessions
 * are set up at a time.
 */
export async function createOfflineSessions(
  target: Target,
  count: number,
  parallel: number,
  progress: (done: number) => void,
): Promise<void> {
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      const socket = await openSession(target, sessionId(i), false)
      await subscribeQos1(socket, sessionTopic(i))
      await socket.end()
      done++
      if (done % 1000 === 0) progress(done)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker))
}

/**
 * Publishes `perSession` QoS 1 messages to each session's topic, round
 * robin, keeping `window` unacknowledged; resolves once every PUBACK is in.
 */
export function queueForEach(
  socket: PacketSocket,
  sessions: number,
  perSession: number,
  window: number,
  progress: (acked: number) => void,
): Promise<void> {
  const total = sessions * perSession
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2e)
  let sent = 0
  let acked = 0
  const sendNext = (): void => {
    socket.queue(
      mqtt.generate({
        cmd: 'publish',
        qos: 1,
        dup: false,
        retain: false,
        topic: sessionTopic(sent % sessions),
        // ids 1..65535 reused once acknowledged; window <= 65535 keeps them unique
        messageId: (sent % 65_535) + 1,
        payload,
      }),
    )
    sent++
  }
  const done = new Promise<void>((resolve, reject) => {
    const unexpected = (what: string) =>
      reject(new Error(`publisher: expected puback, got ${what}`))
    socket.onPacket({
      puback: () => {
        acked++
        if (acked % 10_000 === 0) progress(acked)
        if (sent < total) sendNext()
        else if (acked === total) resolve()
      },
      publish: () => unexpected('publish'),
      control: (packet) => unexpected(packet.cmd),
    })
  })
  while (sent < Math.min(window, total)) sendNext()
  socket.flush()
  return Promise.race([done, socket.failed])
}
