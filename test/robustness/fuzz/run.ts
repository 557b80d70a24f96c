import { connect as netConnect } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import type { Packet } from 'mqtt-packet'
import { Condition, Peer } from '../../crash/harness/peer.ts'
import { type FuzzCase, fuzzCase } from './packets.ts'

// No vitest import: `fuzz-long.ts` runs this outside the test runner.

/** Streams sent at once per fast-check run: concurrent garbage, and a shorter run. */
const BATCH = 6
/** How long the broker may stay silent before the case's connection is half-closed. */
const QUIET_MS = 40

export interface FuzzOptions {
  /** mqtt://host:port of a broker in this process (its heap is measured). */
  url: string
  /** Streams to send, rounded up to a whole batch. */
  cases: number
  seed: number
  /** A bystander round trip after every this many cases. */
  every: number
  /** The broker must close a case's connection within this long after the client's FIN. */
  closeWithinMs: number
  log(line: string): void
}

export interface FuzzResult {
  cases: number
  /** Cases whose connection the broker answered (any bytes) before closing it. */
  answered: number
  /** Slowest close after the client's FIN. */
  slowestCloseMs: number
  bystanderRoundTrips: number
  slowestRoundTripMs: number
  /** heapUsed after a full GC: after the first `every` cases and at the end. */
  heap: { baseline: number; end: number; gcAvailable: boolean }
}

/**
 * Sends each case's bytes on a fresh TCP connection and half-closes it; the
 * broker must close the connection within `closeWithinMs` (a truncated
 * packet must not keep it waiting for bytes that never come, a valid session
 * must end on EOF). After every `every` cases a bystander with a persistent
 * session must get its own QoS 1 message back. Throws (with fast-check's
 * shrunk counterexample and seed) on the first case that breaks either.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const gc = findGc()
  const bystander = await Bystander.open(options.url)
  const result: FuzzResult = {
    cases: 0,
    answered: 0,
    slowestCloseMs: 0,
    bystanderRoundTrips: 0,
    slowestRoundTripMs: 0,
    heap: { baseline: 0, end: 0, gcAvailable: gc !== undefined },
  }
  const heapNow = async () => {
    await new Promise((resolve) => setImmediate(resolve))
    gc?.()
    return process.memoryUsage().heapUsed
  }
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fuzzCase, { minLength: BATCH, maxLength: BATCH }),
        async (batch) => {
          const outcomes = await Promise.all(
            batch.map((c) => sendCase(options.url, c, options.closeWithinMs)),
          )
          for (const outcome of outcomes) {
            if (outcome.answered) result.answered++
            result.slowestCloseMs = Math.max(result.slowestCloseMs, outcome.closeMs)
          }
          const before = result.cases
          result.cases += batch.length
          if (Math.floor(before / options.every) !== Math.floor(result.cases / options.every)) {
            const ms = await bystander.roundTrip(result.cases)
            result.bystanderRoundTrips++
            result.slowestRoundTripMs = Math.max(result.slowestRoundTripMs, ms)
            if (result.heap.baseline === 0) result.heap.baseline = await heapNow()
            if (result.bystanderRoundTrips % 10 === 0) {
              options.log(`fuzz: ${result.cases}/${options.cases} cases, bystander ${ms} ms`)
            }
          }
        },
      ),
      { numRuns: Math.ceil(options.cases / BATCH), seed: options.seed, endOnFailure: false },
    )
  } finally {
    await bystander.close()
  }
  result.heap.end = await heapNow()
  return result
}

/** `global.gc` if the process has it, else V8's own through a new context; undefined if neither. */
function findGc(): (() => void) | undefined {
  const own = (globalThis as { gc?: () => void }).gc
  if (typeof own === 'function') return own
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    return undefined
  }
}

function describe(c: FuzzCase): string {
  const cmds = c.packets.map((p) => p.cmd).join(',')
  const kinds = c.mutations.map((m) => m.kind).join(',') || 'none'
  return `[${cmds}] mutated by [${kinds}], ${c.bytes.length} bytes: ${c.bytes.toString('hex').slice(0, 120)}`
}

/**
 * Writes the case's bytes on a fresh connection and lets the broker work on
 * them until it closes the connection or has been silent for `QUIET_MS`;
 * then half-closes, after which the broker must close within `closeWithinMs`.
 */
async function sendCase(
  url: string,
  c: FuzzCase,
  closeWithinMs: number,
): Promise<{ answered: boolean; closeMs: number }> {
  const u = new URL(url)
  const socket = netConnect(Number(u.port), u.hostname)
  socket.on('error', () => {}) // a reset is one way of being closed
  let answered = false
  let lastActivity = Date.now()
  socket.on('data', () => {
    answered = true
    lastActivity = Date.now()
  })
  let isClosed = false
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  void closed.then(() => {
    isClosed = true
  })
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve)
    socket.once('close', resolve)
  })
  socket.write(c.bytes)
  lastActivity = Date.now()
  // "silent for a while" can only be observed by waiting; the window is short
  while (!isClosed && Date.now() - lastActivity < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  socket.end()
  const start = Date.now()
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), closeWithinMs)
  })
  const outcome = await Promise.race([closed, hung])
  clearTimeout(timer)
  socket.destroy()
  if (outcome === 'hung') {
    throw new Error(`the broker did not close within ${closeWithinMs} ms: ${describe(c)}`)
  }
  return { answered, closeMs: Date.now() - start }
}

/** A persistent session subscribed to its own topic at QoS 1, kept through the whole run. */
class Bystander {
  readonly #peer: Peer
  readonly #received = new Set<string>()
  #arrived = new Condition(() => false)
  #acked = new Set<number>()

  private constructor(peer: Peer) {
    this.#peer = peer
  }

  static async open(url: string): Promise<Bystander> {
    let self: Bystander | undefined
    const early: Packet[] = []
    const { peer, connack } = await Peer.connect(
      url,
      { clientId: 'fuzz-bystander', clean: false },
      (packet) => (self ? self.#onPacket(packet) : early.push(packet)),
    )
    if (connack.returnCode !== 0) throw new Error(`bystander: CONNACK ${connack.returnCode}`)
    self = new Bystander(peer)
    for (const packet of early) self.#onPacket(packet)
    peer.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'fuzz-bystander/inbox', qos: 1 }],
    })
    await self.roundTrip(0)
    return self
  }

  /** Publishes a QoS 1 message to itself; resolves with the ms until PUBACK and delivery both came. */
  async roundTrip(n: number): Promise<number> {
    const start = Date.now()
    const payload = `round-trip-${n}`
    const messageId = (n % 60000) + 2
    this.#acked.delete(messageId)
    this.#arrived = new Condition(() => this.#received.has(payload) && this.#acked.has(messageId))
    this.#peer.send({
      cmd: 'publish',
      topic: 'fuzz-bystander/inbox',
      payload: Buffer.from(payload),
      qos: 1,
      messageId,
      dup: false,
      retain: false,
    })
    await this.#arrived.within(5_000, () => `bystander: no round trip after ${n} cases`)
    return Date.now() - start
  }

  async close(): Promise<void> {
    await this.#peer.disconnect()
  }

  #onPacket(packet: Packet): void {
    if (packet.cmd === 'publish') {
      this.#received.add(packet.payload.toString())
      this.#peer.send({ cmd: 'puback', messageId: packet.messageId })
    } else if (packet.cmd === 'puback') {
      this.#acked.add(packet.messageId as number)
    }
    this.#arrived.poke()
  }
}
