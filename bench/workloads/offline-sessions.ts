import type { Target } from '../types.ts'
import { withDeadline, withProgressLog } from './measure.ts'
import type { PacketSocket } from './packet-socket.ts'
import { publishEncoder } from './publisher.ts'
import { openSession, subscribeQos1 } from './session.ts'

export const sessionId = (i: number): string => `bench-s${String(i).padStart(6, '0')}`
export const sessionTopic = (i: number): string => `bench/dev/${i}/cmd`

/** Which session numbers one generator creates: `first`, `first + stride`, … below `end`. */
export interface SessionRange {
  first: number
  stride: number
  end: number
}

export const allSessions = (count: number): SessionRange => ({ first: 0, stride: 1, end: count })

/** How many session numbers a range holds. */
export function rangeSize({ first, stride, end }: SessionRange): number {
  return first >= end ? 0 : Math.ceil((end - first) / stride)
}

/**
 * Creates the persistent sessions of `range`, each CONNECT clean=0, SUBSCRIBE at QoS 1 to its own
 * topic, DISCONNECT, so each is left offline. `parallel` sessions are set up at a time; `done`
 * counts those finished, for progress and timeouts.
 */
export async function createOfflineSessions(
  target: Target,
  range: SessionRange,
  parallel: number,
  done: { sessions: number } = { sessions: 0 },
): Promise<void> {
  let next = range.first
  const worker = async (): Promise<void> => {
    while (next < range.end) {
      const i = next
      next += range.stride
      const socket = await openSession(target, sessionId(i), false)
      await subscribeQos1(socket, sessionTopic(i))
      await socket.end()
      done.sessions++
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, rangeSize(range)) }, worker))
}

/**
 * Publishes `perSession` QoS 1 messages to each of `sessions` sessions' topics, round robin,
 * keeping `window` unacknowledged; resolves once every PUBACK is in. The k-th message a session
 * gets carries sequence number k, so a resumed session can count its queue.
 */
export function queueForEach(
  socket: PacketSocket,
  sessions: number,
  perSession: number,
  window: number,
  progress: { acked: number } = { acked: 0 },
): Promise<void> {
  const total = sessions * perSession
  let sent = 0
  const sendNext = (): void => {
    const i = sent % sessions
    // ids 1..65535 reused once acknowledged; window <= 65535 keeps them unique
    socket.queue(publishEncoder(sessionTopic(i))((sent % 65_535) + 1, Math.floor(sent / sessions)))
    sent++
  }
  const done = new Promise<void>((resolve, reject) => {
    const unexpected = (what: string) =>
      reject(new Error(`publisher: expected puback, got ${what}`))
    socket.onPacket({
      puback: () => {
        progress.acked++
        if (sent < total) sendNext()
        else if (progress.acked === total) resolve()
      },
      publish: () => unexpected('publish'),
      control: (packet) => unexpected(packet.cmd),
    })
  })
  while (sent < Math.min(window, total)) sendNext()
  socket.flush()
  return Promise.race([done, socket.failed])
}

/** How to fill a broker with offline sessions: see {@link populateOfflineSessions}. */
export interface OfflineSetup {
  sessions: number
  queued: number
  parallel: number
  window: number
  /** Each phase (creating, queueing) takes minutes at 100,000 sessions: its deadline. */
  setupTimeoutMs: number
}

/**
 * Creates `sessions` persistent sessions (one QoS 1 subscription each, left offline), then queues
 * `queued` QoS 1 messages for each through one publisher `publisherId`, logging progress under
 * `label` and failing a phase that misses its deadline with how far it got.
 */
export async function populateOfflineSessions(
  target: Target,
  setup: OfflineSetup,
  label: string,
  publisherId: string,
): Promise<void> {
  const { sessions, queued, parallel, window, setupTimeoutMs } = setup
  const created = { sessions: 0 }
  const createdSoFar = (): string => `${created.sessions}/${sessions} sessions created`
  const creating = createOfflineSessions(target, allSessions(sessions), parallel, created)
  await withDeadline(withProgressLog(label, creating, createdSoFar), setupTimeoutMs, createdSoFar)
  const publisher = await openSession(target, publisherId, true)
  const acked = { acked: 0 }
  const queuedSoFar = (): string => `${acked.acked}/${sessions * queued} messages queued`
  const queueing = queueForEach(publisher, sessions, queued, window, acked)
  await withDeadline(withProgressLog(label, queueing, queuedSoFar), setupTimeoutMs, queuedSoFar)
  await publisher.end()
}
