import { Readable } from 'node:stream'
import { SessionLabError } from '../../errors.ts'
import { compareClientIds } from '../client-id-order.ts'
import { incomingPage, outgoingEntryOf, retainedEntryOf, topicsOfPage } from '../listing.ts'
import { copyOutgoing, copyPublish } from '../packet.ts'
import { Qos0Index } from '../qos0-index.ts'
import { isQueued, payloadBytes, QueueTally } from '../queue-tally.ts'
import { queuedCounts, sortSessionRecords } from '../sorted-sessions.ts'
import { hasWildcard, SubscriptionTrie, topicMatcher } from '../topics.ts'
import type {
  ClientRef,
  DashboardViewRecord,
  EndedSession,
  IncomingEntry,
  OutgoingEntry,
  OutgoingPacket,
  OutgoingRange,
  OutgoingRef,
  QueuedEntry,
  QueueTotals,
  RetainedEntry,
  RetainedRange,
  SessionRange,
  SessionRecord,
  SessionStats,
  SessionStore,
  SessionTouch,
  SortedSessionRange,
  SortedSessionRecord,
  StoreBroker,
  StoredPacket,
  StoredSubscription,
  TopicSubscription,
  WillPacket,
} from '../types.ts'
import { SESSION_NEVER_EXPIRES } from '../types.ts'
import { MemoryQueue } from './queue.ts'

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
  readonly #qos0 = new Qos0Index()
  readonly #tally = new QueueTally()
  /** clientId -> queue, oldest first: queued and in-flight entries alike; none when empty */
  readonly #outgoing = new Map<string, MemoryQueue>()
  /** clientId -> messageId -> QoS 2 PUBLISH received, awaiting PUBREL */
  readonly #incoming = new Map<string, Map<number, StoredPacket>>()
  readonly #wills = new Map<string, WillPacket>()
  /** clientId -> record, for every persistent session */
  readonly #sessions = new Map<string, SessionRecord>()
  /** queue entry -> when it was queued */
  readonly #queuedAt = new WeakMap<OutgoingPacket, number>()
  /** viewer id -> the dashboard's persistent view */
  readonly #dashboardViews = new Map<string, DashboardViewRecord>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

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
    this.#qos0.add(client.id, subs)
  }

  async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    this.#qos0.remove(client.id, topics)
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

  async countSubscriptions(): Promise<number> {
    return this.#trie.count + this.#qos0.count
  }

  async countRetained(): Promise<number> {
    return this.#retained.size
  }

  async subscriptionsByTopic(topic: string): Promise<TopicSubscription[]> {
    return this.#trie.match(topic)
  }

  async cleanSubscriptions(client: ClientRef): Promise<void> {
    this.#dropSubscriptions(client.id)
  }

  #dropSubscriptions(clientId: string): void {
    this.#qos0.clean(clientId)
    const stored = this.#subscriptions.get(clientId)
    if (!stored) return
    for (const [topic, sub] of stored) {
      if (sub.qos > 0) this.#trie.remove(clientId, topic)
    }
    this.#subscriptions.delete(clientId)
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    this.#queueOf(sub.clientId).push(this.#stamped(copyPublish(packet)))
    this.#tally.queued(sub.clientId, payloadBytes(packet.payload))
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void> {
    const bytes = payloadBytes(packet.payload)
    for (const sub of subs) {
      this.#queueOf(sub.clientId).push(this.#stamped(copyPublish(packet)))
      this.#tally.queued(sub.clientId, bytes)
    }
  }

  #stamped(entry: OutgoingPacket): OutgoingPacket {
    this.#queuedAt.set(entry, this.#now())
    return entry
  }

  async outgoingUpdate(client: ClientRef, packet: OutgoingPacket): Promise<void> {
    const queue = this.#outgoing.get(client.id)
    const { brokerId, brokerCounter, messageId } = packet
    // aedes' memory store also lets an entry without brokerId match a packet
    // without one (undefined === undefined): a second PUBREC then rewrote the
    // first PUBREL's messageId. Origins only match when there is one.
    if (queue && brokerId != null) {
      const sent = queue.findByOrigin(brokerId, brokerCounter)
      if (sent !== undefined) {
        const entry = queue.get(sent)
        if (isQueued(entry) && messageId != null) {
          this.#tally.unqueued(client.id, payloadBytes(entry.payload))
        }
        queue.setMessageId(sent, messageId)
        return
      }
    }
    const replaced =
      queue && messageId != null
        ? queue.findByMessageId(messageId, (e) => brokerId == null || e.brokerId !== brokerId)
        : undefined
    if (queue === undefined || replaced === undefined) throw new Error('no such packet')
    const copy = copyOutgoing(packet)
    // it keeps its place and the time it was queued, as in the other stores
    const queuedAt = this.#queuedAt.get(queue.get(replaced) as OutgoingPacket)
    if (queuedAt !== undefined) this.#queuedAt.set(copy, queuedAt)
    queue.replace(replaced, copy)
  }

  async outgoingClearMessageId(
    client: ClientRef,
    packet: OutgoingRef,
  ): Promise<OutgoingPacket | undefined> {
    const queue = this.#outgoing.get(client.id)
    if (!queue) return undefined
    const { messageId, brokerId, brokerCounter } = packet
    let seq: number | undefined
    if (messageId != null) seq = queue.findByMessageId(messageId)
    else if (brokerId != null) {
      seq = queue.findByOrigin(brokerId, brokerCounter, (e) => e.messageId == null)
    }
    if (seq === undefined) return undefined
    const removed = queue.delete(seq) as OutgoingPacket
    this.#forgetIfEmpty(client.id, queue)
    if (isQueued(removed)) this.#tally.unqueued(client.id, payloadBytes(removed.payload))
    return removed
  }

  outgoingStream(client: ClientRef): Readable {
    // A snapshot, as in aedes: what is queued after this call is not in it,
    // and what is cleared meanwhile still is. One pass per resume, not per entry.
    const queue = [...(this.#outgoing.get(client.id)?.values() ?? [])]
    return Readable.from(copiesOf(queue))
  }

  hasOutgoing(clientId: string): boolean {
    return (this.#outgoing.get(clientId)?.size ?? 0) > 0
  }

  #queueOf(clientId: string): MemoryQueue {
    let queue = this.#outgoing.get(clientId)
    if (!queue) {
      queue = new MemoryQueue()
      this.#outgoing.set(clientId, queue)
    }
    return queue
  }

  /** An empty queue's Maps would outlive it by hundreds of bytes, for every session drained. */
  #forgetIfEmpty(clientId: string, queue: MemoryQueue): void {
    if (queue.size === 0) this.#outgoing.delete(clientId)
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
    if (!existed) this.#sessions.set(clientId, newRecord(clientId, this.#now()))
    return existed
  }

  async getSession(clientId: string): Promise<SessionRecord | undefined> {
    const record = this.#sessions.get(clientId)
    return record && { ...record }
  }

  async listSessions(range: SessionRange): Promise<SessionRecord[]> {
    const { prefix = '', after } = range
    return [...this.#sessions.keys()]
      .filter(
        (id) => id.startsWith(prefix) && (after === undefined || compareClientIds(id, after) > 0),
      )
      .sort(compareClientIds)
      .slice(0, range.limit)
      .map((id) => ({ ...(this.#sessions.get(id) as SessionRecord) }))
  }

  /** A pass over every session and a sort of those with the prefix (memory keeps no index). */
  async listSessionsSorted(range: SortedSessionRange): Promise<SortedSessionRecord[]> {
    const rows = await sortSessionRecords(this.#sessions.values(), queuedCounts(this), range)
    return rows.map(({ record, value }) => ({ record: { ...record }, value }))
  }

  async countSessions(prefix = ''): Promise<number> {
    if (!prefix) return this.#sessions.size
    let count = 0
    for (const id of this.#sessions.keys()) if (id.startsWith(prefix)) count++
    return count
  }

  async touchSession(clientId: string, touch: SessionTouch): Promise<void> {
    const record = this.#sessions.get(clientId)
    if (!record) return
    for (const key of TOUCHED) touchField(record, touch, key)
    if (touch.sessionExpiry === null) delete record.sessionExpiry
    else if (touch.sessionExpiry !== undefined) record.sessionExpiry = touch.sessionExpiry
  }

  async addToSession(clientId: string, counts: { dropped?: number; takeovers?: number }) {
    const record = this.#sessions.get(clientId)
    if (!record) return
    record.dropped += counts.dropped ?? 0
    record.takeovers += counts.takeovers ?? 0
  }

  async sessionStats(clientIds: readonly string[]): Promise<Map<string, SessionStats>> {
    return new Map(clientIds.map((id) => [id, this.#statsOf(id)]))
  }

  #statsOf(clientId: string): SessionStats {
    const stats: SessionStats = {
      subscriptions: this.#subscriptions.get(clientId)?.size ?? 0,
      queued: 0,
      queuedBytes: 0,
      oldestQueuedAt: null,
      inflight: 0,
      incoming: this.#incoming.get(clientId)?.size ?? 0,
    }
    for (const entry of this.#outgoing.get(clientId)?.values() ?? []) {
      if (entry.messageId != null) {
        stats.inflight++
        continue
      }
      if (entry.cmd !== 'publish') continue
      const { payload } = entry as StoredPacket
      stats.queued++
      stats.queuedBytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
      const at = this.#queuedAt.get(entry)
      if (at !== undefined && (stats.oldestQueuedAt === null || at < stats.oldestQueuedAt)) {
        stats.oldestQueuedAt = at
      }
    }
    return stats
  }

  async idleSessions(before: number, limit: number) {
    const idle: { clientId: string; disconnectedAt: number }[] = []
    for (const record of this.#sessions.values()) {
      const at = record.disconnectedAt
      if (record.sessionExpiry !== undefined) continue
      if (at !== null && at < before) idle.push({ clientId: record.clientId, disconnectedAt: at })
    }
    return idle.sort((a, b) => a.disconnectedAt - b.disconnectedAt).slice(0, limit)
  }

  async endedSessions(now: number, limit: number): Promise<EndedSession[]> {
    const ended: (EndedSession & { end: number })[] = []
    for (const { clientId, disconnectedAt, sessionExpiry } of this.#sessions.values()) {
      const end = sessionEnd(disconnectedAt, sessionExpiry)
      if (end === null || end > now || disconnectedAt === null || sessionExpiry === undefined) {
        continue
      }
      ended.push({ clientId, disconnectedAt, sessionExpiry, end })
    }
    return ended
      .sort((a, b) => a.end - b.end)
      .slice(0, limit)
      .map(({ end: _, ...session }) => session)
  }

  async nextSessionEnd(): Promise<number | null> {
    let next: number | null = null
    for (const { disconnectedAt, sessionExpiry } of this.#sessions.values()) {
      const end = sessionEnd(disconnectedAt, sessionExpiry)
      if (end !== null && (next === null || end < next)) next = end
    }
    return next
  }

  async closeOpenSessions(at: number): Promise<number> {
    let closed = 0
    for (const record of this.#sessions.values()) {
      if (record.disconnectedAt !== null) continue
      record.disconnectedAt = at
      closed++
    }
    return closed
  }

  async discardSession(clientId: string): Promise<void> {
    this.#dropSubscriptions(clientId)
    this.#outgoing.delete(clientId)
    this.#incoming.delete(clientId)
    this.#sessions.delete(clientId)
    this.#tally.forget(clientId)
  }

  queuedTotals(clientId: string): QueueTotals {
    return this.#tally.get(clientId)
  }

  async queueTotals(): Promise<{ queued: number; inflight: number }> {
    let inflight = 0
    for (const queue of this.#outgoing.values()) inflight += queue.inflight
    return { queued: this.#tally.sum(), inflight }
  }

  async dropOldestQueued(
    clientId: string,
    drop: (entry: QueuedEntry, left: QueueTotals) => boolean,
  ): Promise<void> {
    const queue = this.#outgoing.get(clientId)
    // In-flight entries are passed over: they are no longer the queue's to drop.
    const droppedAll =
      queue?.dropQueued((entry) => {
        const bytes = payloadBytes(entry.payload)
        if (!drop({ topic: entry.topic, qos: entry.qos, bytes }, this.#tally.get(clientId))) {
          return false
        }
        this.#tally.unqueued(clientId, bytes)
        return true
      }) ?? true
    // Every queued entry was dropped: whatever the tally says, none is left.
    if (droppedAll) this.#tally.forget(clientId)
    if (queue) this.#forgetIfEmpty(clientId, queue)
  }

  async listOutgoing(clientId: string, range: OutgoingRange): Promise<OutgoingEntry[]> {
    const queue = this.#outgoing.get(clientId)
    if (!queue) return []
    return queue
      .page(range.after ?? -1, range.limit)
      .map(([seq, entry]) => outgoingEntryOf(seq, entry, this.#queuedAt.get(entry) ?? null))
  }

  async listIncoming(clientId: string, limit: number): Promise<IncomingEntry[]> {
    return incomingPage(this.#incoming.get(clientId)?.values() ?? [], limit)
  }

  async listRetained(range: RetainedRange): Promise<RetainedEntry[]> {
    return topicsOfPage(this.#retained.keys(), range).map((topic) =>
      retainedEntryOf(this.#retained.get(topic) as StoredPacket),
    )
  }

  qos0SubscriptionsByTopic(topic: string): TopicSubscription[] {
    return this.#qos0.match(topic)
  }

  async loadDashboardViews(): Promise<DashboardViewRecord[]> {
    return Array.from(this.#dashboardViews.values(), (view) => ({ ...view }))
  }

  async saveDashboardViews(views: readonly DashboardViewRecord[]): Promise<void> {
    for (const view of views) this.#dashboardViews.set(view.id, { ...view })
  }

  async deleteDashboardViews(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#dashboardViews.delete(id)
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

/** When an offline MQTT 5 session ends, null for one that will not (online, 3.1.1, never expiring). */
function sessionEnd(
  disconnectedAt: number | null,
  sessionExpiry: number | undefined,
): number | null {
  if (disconnectedAt === null || sessionExpiry === undefined) return null
  if (sessionExpiry >= SESSION_NEVER_EXPIRES) return null
  return disconnectedAt + sessionExpiry * 1000
}

/** The fields `touchSession` sets here: all but `node`, which this store does not keep. */
const TOUCHED = [
  'protocolVersion',
  'keepalive',
  'username',
  'remoteAddress',
  'connectedAt',
  'disconnectedAt',
  'lastActivity',
] as const satisfies readonly (keyof SessionTouch)[]

/** Generic in the key, so each value is checked against its own field's type. */
function touchField<K extends (typeof TOUCHED)[number]>(
  record: SessionRecord,
  touch: Partial<Pick<SessionRecord, (typeof TOUCHED)[number]>>,
  key: K,
): void {
  const value = touch[key]
  if (value !== undefined) record[key] = value
}

function newRecord(clientId: string, createdAt: number): SessionRecord {
  return {
    clientId,
    protocolVersion: null,
    keepalive: null,
    username: null,
    remoteAddress: null,
    createdAt,
    connectedAt: null,
    disconnectedAt: null,
    lastActivity: null,
    dropped: 0,
    takeovers: 0,
  }
}

/** Creates an empty in-memory session store; `now` stamps session and queue times. */
export function createMemoryStore(options: { now?: () => number } = {}): SessionStore {
  return new MemoryStore(options.now)
}
