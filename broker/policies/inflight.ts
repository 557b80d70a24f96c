import {
  type Client,
  type Deliver,
  type DeliveryPacket,
  nextPacketId,
  onIncomingPacket,
} from '../aedes/connection.ts'
import type { ResumeWindow } from '../rules/resume.ts'
import { payloadBytes } from '../store/queue-tally.ts'
import type { DropReason } from './counters.ts'
import { overflow, type QueueLimits, tooBig } from './queue-caps.ts'

interface Waiting {
  packet: DeliveryPacket
  written: () => void
  bytes: number
}

export interface InflightWindowDeps {
  maxInflight: number
  /** The caps on messages waiting for a slot. */
  limits: QueueLimits
  /** A waiting message the caps dropped: report it and forget any stored copy. */
  onDrop(client: Client, packet: DeliveryPacket, bytes: number, why: DropReason): void
}

/**
 * One connection's in-flight window: at most `--max-inflight` QoS 1/2
 * PUBLISHes (and the PUBRELs that follow them) sent and not yet answered by
 * PUBACK/PUBCOMP. aedes 1.2 has no such limit. It sits under the delivery
 * wrapper (`delivery.ts`): messages beyond the window wait here, in order,
 * capped like a queue, and go as acknowledgements free slots. A resumed
 * session's stored queue goes first (`persistence.ts` asks for slots through
 * {@link ResumeWindow}); live messages wait until it is drained.
 *
 * The window gives each message its packet id, so it knows what to expect
 * back; aedes' QoSPacket keeps an id it is given.
 */
export class InflightWindow implements ResumeWindow {
  readonly #client: Client
  readonly #deliver: Deliver
  readonly #deps: InflightWindowDeps
  /** Packet ids sent and awaiting PUBACK/PUBCOMP. */
  readonly #inflight = new Set<number>()
  /** Messages waiting for a slot, oldest at `#head`. */
  #waiting: Waiting[] = []
  #head = 0
  #waitingBytes = 0
  #resumed = false
  #slotWaiter: (() => void) | null = null
  #closed = false

  constructor(client: Client, deliver: Deliver, deps: InflightWindowDeps) {
    this.#client = client
    this.#deliver = deliver
    this.#deps = deps
    onIncomingPacket(client, (packet) => {
      if (packet.cmd === 'puback' || packet.cmd === 'pubcomp') this.#acknowledged(packet.messageId)
    })
  }

  get inflight(): number {
    return this.#inflight.size
  }

  get waiting(): number {
    return this.#waiting.length - this.#head
  }

  /** The connection's QoS 1/2 delivery (for delivery.ts); `written` once sent or dropped. */
  readonly deliver: Deliver = (packet, written) => {
    if (this.#closed) {
      written()
      return
    }
    if (!this.#forwarded(packet)) {
      // aedes will not send it: no slot.
      this.#deliver(packet, written)
      return
    }
    if (this.#resuming() || this.waiting > 0 || this.#full()) this.#wait(packet, written)
    else this.#send(packet, written)
  }

  /** Resolves with the free slots (at least one), or 0 once the connection is closed. */
  free(): Promise<number> {
    if (this.#closed) return Promise.resolve(0)
    if (!this.#full()) return Promise.resolve(this.#deps.maxInflight - this.#inflight.size)
    return new Promise((resolve) => {
      this.#slotWaiter = () =>
        resolve(this.#closed ? 0 : this.#deps.maxInflight - this.#inflight.size)
    })
  }

  /** A resumed message with this packet id was sent. */
  occupy(messageId: number): void {
    this.#inflight.add(messageId)
  }

  /** The stored queue is drained: live messages may go. */
  resumed(): void {
    this.#resumed = true
    this.#pump()
  }

  /**
   * The connection is gone: nothing more is sent. What waits stays in the
   * session's stored queue (persistent) or ends with the session (clean).
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#wakeResume()
    const waiting = this.#waiting.slice(this.#head)
    this.#waiting = []
    this.#head = 0
    this.#waitingBytes = 0
    for (const entry of waiting) entry.written()
  }

  #resuming(): boolean {
    return this.#client.clean === false && !this.#resumed
  }

  #full(): boolean {
    return this.#inflight.size >= this.#deps.maxInflight
  }

  /**
   * aedes' no-local check (MQTT 5). `authorizeForward` is not asked here: the
   * inspector observes it as the moment of writing. SessionLab's never
   * refuses; one that did would keep a slot taken.
   */
  #forwarded(packet: DeliveryPacket & { nl?: boolean; clientId?: string }): boolean {
    return !(packet.nl && packet.clientId === this.#client.id)
  }

  #wait(packet: DeliveryPacket, written: () => void): void {
    const { limits } = this.#deps
    const bytes = payloadBytes(packet.payload)
    const why = overflow(limits, { count: this.waiting, bytes: this.#waitingBytes }, bytes)
    if (why !== null && (tooBig(limits, bytes) || limits.dropPolicy === 'newest')) {
      this.#deps.onDrop(this.#client, packet, bytes, why)
      written()
      return
    }
    for (;;) {
      const reason = overflow(limits, { count: this.waiting, bytes: this.#waitingBytes }, bytes)
      if (reason === null) break
      const oldest = this.#shift()
      if (!oldest) break
      this.#deps.onDrop(this.#client, oldest.packet, oldest.bytes, reason)
      oldest.written()
    }
    this.#waiting.push({ packet, written, bytes })
    this.#waitingBytes += bytes
  }

  #shift(): Waiting | undefined {
    if (this.#head >= this.#waiting.length) return undefined
    const entry = this.#waiting[this.#head++]
    this.#waitingBytes -= entry.bytes
    // Compact now and then rather than shifting the array on every send.
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head)
      this.#head = 0
    }
    return entry
  }

  #send(packet: DeliveryPacket, written: () => void): void {
    const messageId = this.#nextMessageId()
    this.#inflight.add(messageId)
    const out = { ...packet, messageId }
    // deduped by delivery.ts already (handedBefore); aedes' own dedupe keeps nothing
    this.#deliver(out, written)
  }

  /** The id aedes' QoSPacket would take, skipping any still unacknowledged. */
  #nextMessageId(): number {
    return nextPacketId(this.#client, (id) => this.#inflight.has(id))
  }

  #acknowledged(messageId: number | undefined): void {
    if (messageId === undefined || !this.#inflight.delete(messageId)) return
    this.#pump()
  }

  #pump(): void {
    if (this.#closed) return
    if (this.#resuming()) {
      this.#wakeResume()
      return
    }
    while (!this.#full()) {
      const next = this.#shift()
      if (!next) return
      this.#send(next.packet, next.written)
    }
  }

  #wakeResume(): void {
    const wake = this.#slotWaiter
    this.#slotWaiter = null
    wake?.()
  }
}
