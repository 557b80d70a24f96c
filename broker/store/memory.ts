import { Readable } from 'node:stream'
import { SessionLabError } from '../errors.ts'
import { copyOutgoing, copyPublish } from './packet.ts'
import { hasWildcard, SubscriptionTrie, topicMatcher } from './topics.ts'
import type {
  ClientRef,
  OutgoingPacket,
  OutgoingRef,
  SessionStore,
  StoreBroker,
  StoredPacket,
  StoredSubscription,
  TopicSubscription,
  WillPacket,
} from './types.ts'

type SubscriptionRecord = Omit<StoredSubscription, 'topic'>

/**
 * A session store held in process memory: aedes-persistence's memory store
 * (asyncPersistence.js) in TypeScript, plus sessions. Everything is lost when
 * the process ends. State is kept in plain Maps so it can be enumerated.
 */
class MemoryStore implements SessionStore {
  readonly kind = 'memory'
  #broker: StoreBroker | undefined
  #destroyed = false
  /** topic -> retained PUBLISH */
  readonly #retained = new Map<string, StoredPacket>()
  /** clientId -> topic -> subscription, in the order they were first made */
  readonly #subscriptions = new Map<string, Map<string, SubscriptionRecord>>()
  readonly #trie = new SubscriptionTrie()
  /** clientId -> queue, oldest first: queued and in-flight entries alike */
  readonly #outgoing = new Map<string, OutgoingPacket[]>()
  /** clientId -> messageId -> QoS 2 PUBLISH received, awaiting PUBREL */
  readonly #incoming = new Map<string, Map<number, StoredPacket>>()
  readonly #wills = new Map<string, WillPacket>()
  readonly #sessions = new Set<string>()

  /** The broker given to `setup` (aedes' contract suite reads it). */
  get broker(): StoreBroker | undefined {
    return this.#broker
  }

  async setup(broker: StoreBroker): Promise<void> {
    this.#broker = broker
  }

  async storeRetained(packet: StoredPacket): Promise<void> {
    if (packet.payload.length === 0) this.#retained.delete(packet.topic)
    else this.#retained.set(packet.topic, { ...packet })
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern])
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(this.#retainedMatching(patterns))
  }

  *#retainedMatching(patterns: string[]): Generator<StoredPacket> {
    for (const pattern of patterns) {
      if (!hasWildcard(pattern)) {
        const packet = this.#retained.get(pattern)
        if (packet) yield { ...packet }
        continue
      }
      const matches = topicMatcher(pattern)
      for (const [topic, packet] of this.#retained) {
        if (matches(topic)) yield { ...packet }
      }
    }
  }

  async addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void> {
    let stored = this.#subscriptions.get(client.id)
    if (!stored) {
      stored = new Map()
      this.#subscriptions.set(client.id, stored)
    }
    for (const sub of subs) {
      const record: SubscriptionRecord = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl }
      if (sub.subscriptionIdentifier !== undefined) {
        record.subscriptionIdentifier = sub.subscriptionIdentifier
      }
      // Only qos > 0 subscriptions get queued messages, so only they are matched.
      if (sub.qos > 0) this.#trie.add(client.id, sub)
      else if ((stored.get(sub.topic)?.qos ?? 0) > 0) this.#trie.remove(client.id, sub.topic)
      stored.set(sub.topic, record)
    }
  }

  async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    const stored = this.#subscriptions.get(client.id)
    if (!stored) return
    for (const topic of topics) {
      const sub = stored.get(topic)
      if (sub === undefined) continue
      if (sub.qos > 0) this.#trie.remove(client.id, topic)
      stored.delete(topic)
    }
    if (stored.size === 0) this.#subscriptions.delete(client.id)
  }

  async subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]> {
    const stored = this.#subscriptions.get(client.id)
    if (!stored) return []
    return Array.from(stored, ([topic, sub]) => ({ topic, ...sub }))
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return { subsCount: this.#trie.count, clientsCount: this.#subscriptions.size }
  }

  async subscriptionsByTopic(topic: string): Promise<TopicSubscription[]> {
    return this.#trie.match(topic)
  }

  async cleanSubscriptions(client: ClientRef): Promise<void> {
    this.#dropSubscriptions(client.id)
  }

  #dropSubscriptions(clientId: string): void {
    const stored = this.#subscriptions.get(clientId)
    if (!stored) return
    for (const [topic, sub] of stored) {
      if (sub.qos > 0) this.#trie.remove(clientId, topic)
    }
    this.#subscriptions.delete(clientId)
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    this.#queueOf(sub.clientId).push(copyPublish(packet))
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void> {
    for (const sub of subs) this.#queueOf(sub.clientId).push(copyPublish(packet))
  }

  async outgoingUpdate(client: ClientRef, packet: OutgoingPacket): Promise<void> {
    const queue = this.#outgoing.get(client.id) ?? []
    const { brokerId, brokerCounter, messageId } = packet
    // aedes' memory store also lets an entry without brokerId match a packet
    // without one (undefined === undefined): a second PUBREC then rewrote the
    // first PUBREL's messageId. Origins only match when there is one.
    if (brokerId != null) {
      const sent = queue.find((e) => e.brokerId === brokerId && e.brokerCounter === brokerCounter)
      if (sent) {
        sent.messageId = messageId
        return
      }
    }
    const index =
      messageId == null
        ? -1
        : queue.findIndex(
            (e) => e.messageId === messageId && (brokerId == null || e.brokerId !== brokerId),
          )
    if (index < 0) throw new Error('no such packet')
    queue[index] = copyOutgoing(packet)
  }

  async outgoingClearMessageId(
    client: ClientRef,
    packet: OutgoingRef,
  ): Promise<OutgoingPacket | undefined> {
    const queue = this.#outgoing.get(client.id)
    if (!queue) return undefined
    const { messageId, brokerId, brokerCounter } = packet
    let index = -1
    if (messageId != null) index = queue.findIndex((e) => e.messageId === messageId)
    else if (brokerId != null) {
      index = queue.findIndex(
        (e) => e.messageId == null && e.brokerId === brokerId && e.brokerCounter === brokerCounter,
      )
    }
    if (index < 0) return undefined
    const [removed] = queue.splice(index, 1)
    return removed
  }

  outgoingStream(client: ClientRef): Readable {
    // A snapshot, as in aedes: what is queued after this call is not in it.
    const queue = [...(this.#outgoing.get(client.id) ?? [])]
    return Readable.from(copiesOf(queue))
  }

  #queueOf(clientId: string): OutgoingPacket[] {
    let queue = this.#outgoing.get(clientId)
    if (!queue) {
      queue = []
      this.#outgoing.set(clientId, queue)
    }
    return queue
  }

  async incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void> {
    let stored = this.#incoming.get(client.id)
    if (!stored) {
      stored = new Map()
      this.#incoming.set(client.id, stored)
    }
    const copy = copyPublish(packet)
    copy.messageId = packet.messageId
    stored.set(packet.messageId ?? 0, copy)
  }

  async incomingGetPacket(
    client: ClientRef,
    packet: { messageId?: number },
  ): Promise<StoredPacket> {
    const stored = this.#incoming.get(client.id)?.get(packet.messageId ?? 0)
    if (!stored) throw new Error('no such packet')
    return { ...stored }
  }

  async incomingDelPacket(client: ClientRef, packet: { messageId?: number }): Promise<void> {
    if (!this.#incoming.get(client.id)?.delete(packet.messageId ?? 0)) {
      throw new Error('no such packet')
    }
  }

  async cleanIncoming(client: ClientRef): Promise<void> {
    this.#incoming.delete(client.id)
  }

  async putWill(client: ClientRef, packet: WillPacket): Promise<void> {
    // Stamped on the caller's packet too, as aedes' stores do.
    packet.brokerId = this.#broker?.id
    packet.clientId = client.id
    this.#wills.set(client.id, { ...packet })
  }

  async getWill(client: ClientRef): Promise<WillPacket | undefined> {
    const will = this.#wills.get(client.id)
    return will && { ...will }
  }

  async delWill(client: { id: string }): Promise<WillPacket | undefined> {
    const will = this.#wills.get(client.id)
    this.#wills.delete(client.id)
    return will
  }

  streamWill(brokers: Record<string, unknown> = {}): Readable {
    const orphans = [...this.#wills.values()].filter(
      (will) => will.brokerId === undefined || !Object.hasOwn(brokers, will.brokerId),
    )
    return Readable.from(orphans.map((will) => ({ ...will })))
  }

  getClientList(topic: string): Readable {
    const clientIds: string[] = []
    for (const [clientId, subs] of this.#subscriptions) {
      if (subs.has(topic)) clientIds.push(clientId)
    }
    return Readable.from(clientIds)
  }

  async openSession(clientId: string): Promise<boolean> {
    const existed = this.#sessions.has(clientId)
    this.#sessions.add(clientId)
    return existed
  }

  async discardSession(clientId: string): Promise<void> {
    this.#dropSubscriptions(clientId)
    this.#outgoing.delete(clientId)
    this.#incoming.delete(clientId)
    this.#sessions.delete(clientId)
  }

  async flush(): Promise<void> {}

  commitNow(): void {}

  async destroy(): Promise<void> {
    if (this.#destroyed) throw new SessionLabError('STORE_CLOSED', 'destroy() called twice')
    this.#destroyed = true
  }
}

function* copiesOf(queue: OutgoingPacket[]): Generator<OutgoingPacket> {
  for (const entry of queue) yield copyOutgoing(entry)
}

/** Creates an empty in-memory session store. */
export function createMemoryStore(): SessionStore {
  return new MemoryStore()
}
