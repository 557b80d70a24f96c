import { EventEmitter } from 'node:events'
import { Readable } from 'node:stream'
import type {
  ClientRef,
  QoS,
  SessionStore,
  StoreBroker,
  StoredPacket,
  StoredSubscription,
  TopicSubscription,
} from '../store/types.ts'

/**
 * A subscription aedes is told about when a session without subscriptions is
 * resumed, so that its CONNACK says session-present=1 [MQTT-3.2.2-2]: aedes
 * 1.2 derives the flag from "has subscriptions". `authorizeSubscribe` grants
 * it nothing, so it is never subscribed, stored or acknowledged.
 */
export const SESSION_MARKER_TOPIC = '$SessionLab/session-present'

// Queued messages numbered per commit when a session resumes.
const RESUME_PAGE = 256

function originKey(packet: StoredPacket): string {
  return `${packet.brokerId}:${packet.brokerCounter}:${packet.messageId}`
}

/**
 * The persistence aedes talks to: a {@link SessionStore} behind the session
 * rules aedes 1.2 gets wrong, each fixed here at the store seam.
 */
export class SessionPersistence {
  readonly store: SessionStore
  #broker: StoreBroker | null = null
  /** brokerId:brokerCounter of messages committed before their PUBACK/PUBREC. */
  readonly #committed = new Set<string>()
  /** Per connection: queued messages given their packet id while streamed for resume. */
  readonly #assigned = new WeakMap<ClientRef, Set<string>>()
  /** clientId\0messageId of QoS 2 packets stored before aedes first looks them up. */
  readonly #freshIncoming = new Set<string>()

  constructor(store: SessionStore) {
    this.store = store
  }

  // aedes checks that setup is an AsyncFunction (aedes.js:104)
  async setup(broker: StoreBroker): Promise<void> {
    this.#broker = broker
    await this.store.setup(broker)
  }

  /**
   * Commits an incoming QoS 1/2 PUBLISH for every matching persistent session
   * (and the retained store, and for QoS 2 the incoming state) before aedes
   * acknowledges it: aedes 1.2 writes PUBACK before it stores anything
   * (handlers/publish.js), so a crash could lose an acknowledged message.
   * aedes' own enqueue of the same message is then skipped.
   */
  async commitBeforeAck(client: ClientRef, packet: StoredPacket): Promise<void> {
    const broker = this.#broker
    if (!broker) throw new Error('persistence used before setup')
    if (packet.qos === 2 && (await this.#hasIncoming(client, packet))) return
    // aedes-packet keeps an existing brokerId/brokerCounter, so the message
    // aedes publishes next carries the identity we stored it under.
    const counter = (broker.counter as number) + 1
    broker.counter = counter
    packet.brokerId = broker.id
    packet.brokerCounter = counter
    const key = `${broker.id}:${counter}`
    const subs = await this.store.subscriptionsByTopic(packet.topic)
    const writes: Promise<unknown>[] = [this.#enqueue(subs, packet)]
    if (packet.retain) writes.push(this.store.storeRetained(packet))
    const incomingKey = `${client.id}\0${packet.messageId}`
    if (packet.qos === 2) writes.push(this.store.incomingStorePacket(client, packet))
    await Promise.all(writes)
    this.#committed.add(key)
    if (packet.qos === 2) this.#freshIncoming.add(incomingKey)
  }

  async #hasIncoming(client: ClientRef, packet: StoredPacket): Promise<boolean> {
    try {
      await this.store.incomingGetPacket(client, packet)
      return true
    } catch {
      return false
    }
  }

  /**
   * One copy per client, at the QoS that client is owed: the message QoS
   * capped by the highest QoS among its matching subscriptions [MQTT-3.8.4-6].
   */
  async #enqueue(subs: TopicSubscription[], packet: StoredPacket): Promise<void> {
    if (subs.length === 0) return
    const granted = new Map<string, number>()
    for (const sub of subs) {
      if (sub.qos > (granted.get(sub.clientId) ?? -1)) granted.set(sub.clientId, sub.qos)
    }
    const byQoS = new Map<QoS, { clientId: string }[]>()
    for (const [clientId, qos] of granted) {
      const effective = Math.min(packet.qos, qos) as QoS
      const group = byQoS.get(effective)
      if (group) group.push({ clientId })
      else byQoS.set(effective, [{ clientId }])
    }
    const writes: Promise<void>[] = []
    for (const [qos, group] of byQoS) {
      const copy = qos === packet.qos ? packet : { ...packet, qos }
      writes.push(this.store.outgoingEnqueueCombi(group, copy))
    }
    await Promise.all(writes)
  }

  async outgoingEnqueueCombi(subs: TopicSubscription[], packet: StoredPacket): Promise<void> {
    if (this.#committed.delete(`${packet.brokerId}:${packet.brokerCounter}`)) return
    await this.#enqueue(subs, packet)
  }

  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    return this.store.outgoingEnqueue(sub, packet)
  }

  /** A session that exists says so in CONNACK even without subscriptions [MQTT-3.2.2-2]. */
  async subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]> {
    const existed = await this.store.openSession(client.id)
    const subs = await this.store.subscriptionsByClient(client)
    if (subs.length === 0 && existed) return [{ topic: SESSION_MARKER_TOPIC, qos: 0 }]
    return subs
  }

  /** aedes calls this for CleanSession=1: the whole earlier session goes [MQTT-3.1.2-6]. */
  cleanSubscriptions(client: ClientRef): Promise<void> {
    return this.store.discardSession(client.id)
  }

  /**
   * Streams a session's queue for aedes to send on resume. Messages sent
   * before (they have a packet id) are resent with DUP=1 [MQTT-3.3.1-1],
   * [MQTT-4.4.0-1]. Messages never sent get their packet id here, a page at a
   * time in one commit, from the connection's own id sequence exactly as
   * aedes would pick it, instead of one commit per message as aedes' resume
   * asks for them (a crash then still resends them with the same id).
   */
  outgoingStream(client: ClientRef & { _nextId?: number }): Readable {
    const store = this.store
    const assigned = new Set<string>()
    this.#assigned.set(client, assigned)
    async function* resume(): AsyncGenerator<StoredPacket> {
      let page: StoredPacket[] = []
      for await (const packet of store.outgoingStream(client)) {
        page.push(packet as StoredPacket)
        if (page.length === RESUME_PAGE) {
          yield* await assignIds(page)
          page = []
        }
      }
      yield* await assignIds(page)
    }
    async function assignIds(page: StoredPacket[]): Promise<StoredPacket[]> {
      const writes: Promise<void>[] = []
      const out = page.map((packet) => {
        if (packet.cmd !== 'publish') return packet
        if (packet.messageId != null) return { ...packet, dup: true }
        if (typeof client._nextId !== 'number') return packet
        const messageId = client._nextId
        client._nextId = messageId >= 65535 ? 1 : messageId + 1 // as aedes' QoSPacket
        const numbered = { ...packet, messageId }
        writes.push(store.outgoingUpdate(client, numbered))
        assigned.add(originKey(numbered))
        return numbered
      })
      await Promise.all(writes)
      return out
    }
    return Readable.from(resume())
  }

  /** A packet id given out by `outgoingStream` is already stored: nothing to do. */
  async outgoingUpdate(client: ClientRef, packet: StoredPacket): Promise<void> {
    if (this.#assigned.get(client)?.delete(originKey(packet))) return
    await this.store.outgoingUpdate(client, packet)
  }

  async incomingGetPacket(client: ClientRef, packet: { messageId?: number }) {
    // committed in commitBeforeAck: to aedes it is still a first delivery
    if (this.#freshIncoming.delete(`${client.id}\0${packet.messageId}`)) {
      throw new Error('no such packet')
    }
    return this.store.incomingGetPacket(client, packet)
  }

  /**
   * aedes deletes a closed connection's Will by ClientID, after publishing it
   * (client.js:373). On a takeover that runs after the new connection stored
   * its own Will, which it would delete. A deletion asked for by ClientID
   * only (not by a connection) while another live connection holds that
   * ClientID is therefore not done: the stored Will is the newer one's.
   */
  delWill(client: { id: string; brokerId?: string }) {
    if (!(client instanceof EventEmitter)) {
      const clients = (this.#broker as { clients?: Record<string, { closed: boolean }> } | null)
        ?.clients
      const live = clients?.[client.id]
      if (live && !live.closed) return Promise.resolve(undefined)
    }
    return this.store.delWill(client)
  }

  // Plain delegation for the rest of the aedes-persistence interface.
  storeRetained = (p: StoredPacket) => this.store.storeRetained(p)
  createRetainedStream = (pattern: string) => this.store.createRetainedStream(pattern)
  createRetainedStreamCombi = (patterns: string[]) => this.store.createRetainedStreamCombi(patterns)
  addSubscriptions = (c: ClientRef, s: StoredSubscription[]) => this.store.addSubscriptions(c, s)
  removeSubscriptions = (c: ClientRef, t: string[]) => this.store.removeSubscriptions(c, t)
  countOffline = () => this.store.countOffline()
  subscriptionsByTopic = (topic: string) => this.store.subscriptionsByTopic(topic)
  outgoingClearMessageId = (c: ClientRef, p: { messageId?: number }) =>
    this.store.outgoingClearMessageId(c, p)
  incomingStorePacket = (c: ClientRef, p: StoredPacket) => this.store.incomingStorePacket(c, p)
  incomingDelPacket = (c: ClientRef, p: { messageId?: number }) =>
    this.store.incomingDelPacket(c, p)
  cleanIncoming = (c: ClientRef) => this.store.cleanIncoming(c)
  putWill = (c: ClientRef, p: StoredPacket) => this.store.putWill(c, p)
  getWill = (c: ClientRef) => this.store.getWill(c)
  streamWill = (brokers?: Record<string, unknown>) => this.store.streamWill(brokers)
  getClientList = (topic: string) => this.store.getClientList(topic)
  destroy = () => this.store.destroy()
}
