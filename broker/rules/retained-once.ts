import { Readable } from 'node:stream'
import type { Aedes } from 'aedes'
import {
  type Client,
  type DeliveryPacket,
  onIncomingPacket,
  replaceDelivery,
} from '../aedes/connection.ts'
import { beforeRoute, originOf, routeFence, subscriberOfRetainedReads } from '../aedes/routing.ts'
import type { ConnectStage } from '../aedes/stages.ts'
import { topicMatches } from './qos.ts'

/** The SUBSCRIBEs of one connection whose retained messages are not yet sent. */
interface Window {
  open: number
  filters: string[]
  /** Origins of the messages routed to the connection while open, on those filters. */
  live: Set<string>
}

/** Live origins kept per window at most: past it the window stops recording. */
const MAX_LIVE = 10_000

/**
 * A SUBSCRIBE gets a retained message being published either live or as the
 * retained copy, never both. A new subscription is owed "the last retained
 * message on each matching topic" [MQTT-3.3.1-6] [MQTT-3.8.4-3] and, once in
 * place, every message published to it [MQTT-3.8.4-4]; Mosquitto routes and
 * retains in one step, so a SUBSCRIBE falls before the message (live copy) or
 * after it (retained copy). aedes does neither in one step: a retained QoS 1
 * PUBLISH is committed (SessionPersistence.commitBeforeAck) and stored again
 * before it is routed, and a SUBSCRIBE adds its subscription and reads the
 * retained store a little later. So here the two are made one step:
 *
 * - a retained message stored on this node is left out of retained reads
 *   until aedes routes it: a SUBSCRIBE reading it before then already has its
 *   subscription in place (aedes adds it before the read), so it gets it live;
 * - a message routed to the connection while its SUBSCRIBE is being answered
 *   (recorded from the SUBSCRIBE's arrival until its retained read is sent)
 *   is not sent again as a retained copy. The read is checked after a fence
 *   through the router, so a message routed before the read has arrived.
 *
 * Across cluster nodes the first half is per node: a message another node
 * has stored and not yet routed can still come both ways (docs/session-rules.md).
 */
export class RetainedOnce {
  /** Origins of retained messages stored on this node and not yet routed, by their publisher. */
  readonly #unrouted = new Map<string, object | null>()
  readonly #windows = new WeakMap<Client, Window>()
  #fence: () => Promise<void> = async () => {}
  #subscriber: () => Client | null = () => null

  /** Starts watching aedes' router and SUBSCRIBE answers; before clients connect. */
  async attach(aedes: Aedes): Promise<void> {
    beforeRoute(aedes, (packet) => {
      if (packet.retain) this.#unrouted.delete(originOf(packet))
    })
    this.#fence = await routeFence(aedes)
    this.#subscriber = subscriberOfRetainedReads(aedes, (client) => this.#close(client))
  }

  /** A retained message is about to be stored; `publisher` null for the broker's own. */
  storing(packet: { brokerId?: string; brokerCounter?: number }, publisher: object | null): void {
    const origin = originOf(packet)
    if (origin !== '' && !this.#unrouted.has(origin)) this.#unrouted.set(origin, publisher)
  }

  /** Its store failed: aedes will not route it. */
  notStored(packet: { brokerId?: string; brokerCounter?: number }): void {
    this.#unrouted.delete(originOf(packet))
  }

  /**
   * Opens a window at each SUBSCRIBE the connection sends and records what is
   * routed to it meanwhile; forgets what it published and never got routed
   * (a QoS 1 PUBLISH whose PUBACK could not be written) when it closes.
   */
  readonly connectStage: ConnectStage = {
    read: (client) => {
      onIncomingPacket(
        client,
        (packet) => {
          if (packet.cmd !== 'subscribe' || !packet.subscriptions) return
          const window = this.#windows.get(client) ?? { open: 0, filters: [], live: new Set() }
          window.open++
          for (const sub of packet.subscriptions) window.filters.push(sub.topic)
          this.#windows.set(client, window)
        },
        { first: true },
      )
      replaceDelivery(client, (inner) => ({
        qos0: this.#recording(client, inner.qos0),
        qos: this.#recording(client, inner.qos),
      }))
      client.once('close', () => {
        for (const [origin, publisher] of this.#unrouted) {
          if (publisher === client) this.#unrouted.delete(origin)
        }
      })
    },
  }

  /**
   * The retained messages aedes sends for a SUBSCRIBE, read with `read`:
   * without those still unrouted and those already routed to its connection.
   */
  retainedFor(patterns: string[], read: (patterns: string[]) => Readable): Readable {
    const client = this.#subscriber()
    if (!client) return read(patterns)
    return Readable.from(this.#once(client, read(patterns)), { objectMode: true })
  }

  async *#once(client: Client, stream: Readable): AsyncGenerator<DeliveryPacket> {
    try {
      const found: DeliveryPacket[] = []
      for await (const packet of stream as AsyncIterable<DeliveryPacket>) {
        if (!this.#unrouted.has(originOf(packet))) found.push(packet)
      }
      if (found.length === 0) return
      await this.#fence()
      const live = this.#windows.get(client)?.live
      for (const packet of found) {
        if (!live?.has(originOf(packet))) yield packet
      }
    } finally {
      this.#close(client)
    }
  }

  #recording(client: Client, deliver: (p: DeliveryPacket, done: () => void) => void) {
    return (packet: DeliveryPacket, done: () => void) => {
      const window = this.#windows.get(client)
      // a retained copy carries no origin (handlers/subscribe.js): only live messages count
      if (window && packet.brokerId && window.live.size < MAX_LIVE) {
        if (window.filters.some((filter) => topicMatches(filter, packet.topic))) {
          window.live.add(originOf(packet))
        }
      }
      deliver(packet, done)
    }
  }

  #close(client: Client): void {
    const window = this.#windows.get(client)
    if (window && --window.open <= 0) this.#windows.delete(client)
  }
}
