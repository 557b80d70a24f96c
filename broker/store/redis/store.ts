// The redis store's methods; index.ts opens it (and says what it avoids).
import { Readable } from 'node:stream'
import type { Redis } from 'ioredis'
import { SessionLabError } from '../../errors.ts'
import { queuedCounts, sessionBatches, sortSessionRecords } from '../sorted-sessions.ts'
import type {
  ClientRef,
  DashboardViewRecord,
  ExpiryDue,
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
import { RedisDashboardViews } from './dashboard-views.ts'
import { RedisIncoming } from './incoming.ts'
import type { RedisKeys } from './keys.ts'
import { RedisOutgoing } from './outgoing.ts'
import { RedisRetained } from './retained.ts'
import type { Scripts } from './scripts.ts'
import { RedisSessions } from './sessions.ts'
import { RedisSubscriptions } from './subscriptions.ts'
import { RedisWills } from './wills.ts'

/**
 * A write is committed when Redis has answered it: every write method
 * resolves then, each multi-key change is one Lua script. Reads go to Redis
 * too, except subscription matching, answered from memory.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis'
  readonly #redis: Redis
  readonly #keys: RedisKeys
  readonly #now: () => number
  readonly #scripts: Scripts
  readonly #outgoing: RedisOutgoing
  readonly #subscriptions: RedisSubscriptions
  readonly #sessions: RedisSessions
  readonly #wills: RedisWills
  readonly #retained: RedisRetained
  readonly #incoming: RedisIncoming
  readonly #dashboardViews: RedisDashboardViews
  /** Writes issued and not yet answered, for `flush`. */
  readonly #pending = new Set<Promise<unknown>>()
  #broker: StoreBroker | undefined
  #destroyed = false

  constructor(redis: Redis, scripts: Scripts, keys: RedisKeys, now: () => number) {
    this.#redis = redis
    this.#scripts = scripts
    this.#keys = keys
    this.#now = now
    this.#outgoing = new RedisOutgoing(scripts, keys, now, () => redis.get(keys.seq))
    this.#subscriptions = new RedisSubscriptions(redis, scripts, keys)
    this.#sessions = new RedisSessions(redis, scripts, keys)
    this.#wills = new RedisWills(redis, scripts, keys)
    this.#retained = new RedisRetained(redis, keys)
    this.#incoming = new RedisIncoming(redis, keys)
    this.#dashboardViews = new RedisDashboardViews(redis, keys)
  }

  /** What every key of this store starts with. */
  get keyPrefix(): string {
    return this.#keys.prefix
  }

  /** The broker given to `setup` (aedes' contract suite reads it). */
  get broker(): StoreBroker | undefined {
    return this.#broker
  }

  async setup(broker: StoreBroker): Promise<void> {
    this.#broker = broker
    await this.#subscriptions.setup(broker)
  }

  storeRetained(packet: StoredPacket): Promise<void> {
    return this.#write(this.#retained.store(packet))
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern])
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(this.#retained.matching(patterns))
  }

  addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void> {
    return this.#write(this.#subscriptions.add(client.id, subs))
  }

  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    return this.#write(this.#subscriptions.remove(client.id, topics))
  }

  subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]> {
    return this.#subscriptions.byClient(client.id)
  }

  countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return this.#subscriptions.count()
  }

  async countSubscriptions(): Promise<number> {
    return this.#subscriptions.countAll()
  }

  countRetained(): Promise<number> {
    return this.#retained.count()
  }

  async subscriptionsByTopic(topic: string): Promise<TopicSubscription[]> {
    return this.#subscriptions.byTopic(topic)
  }

  cleanSubscriptions(client: ClientRef): Promise<void> {
    return this.#write(this.#subscriptions.clean(client.id))
  }

  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    return this.#write(this.#outgoing.enqueue([sub.clientId], packet))
  }

  outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void> {
    const clientIds = subs.map((sub) => sub.clientId)
    return this.#write(this.#outgoing.enqueue(clientIds, packet))
  }

  /**
   * A packet id (or a PUBREL) is stored before it is sent, so that a resend
   * after a crash carries the same id and DUP=1 [MQTT-4.4.0-1].
   */
  outgoingUpdate(client: ClientRef, packet: OutgoingPacket): Promise<void> {
    return this.#write(this.#outgoing.update(client.id, packet))
  }

  outgoingClearMessageId(
    client: ClientRef,
    packet: OutgoingRef,
  ): Promise<OutgoingPacket | undefined> {
    return this.#write(this.#outgoing.clear(client.id, packet))
  }

  outgoingStream(client: ClientRef): Readable {
    return this.#outgoing.stream(client.id)
  }

  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void> {
    return this.#write(this.#incoming.store(client.id, packet))
  }

  incomingGetPacket(client: ClientRef, packet: { messageId?: number }): Promise<StoredPacket> {
    return this.#incoming.get(client.id, packet.messageId)
  }

  incomingDelPacket(client: ClientRef, packet: { messageId?: number }): Promise<void> {
    return this.#write(this.#incoming.delete(client.id, packet.messageId))
  }

  cleanIncoming(client: ClientRef): Promise<void> {
    return this.#write(this.#incoming.clean(client.id))
  }

  putWill(client: ClientRef, packet: WillPacket): Promise<void> {
    // Stamped on the caller's packet too, as aedes' stores do.
    packet.brokerId = this.#broker?.id
    packet.clientId = client.id
    return this.#write(this.#wills.put(client.id, packet))
  }

  getWill(client: ClientRef): Promise<WillPacket | undefined> {
    return this.#wills.get(client.id)
  }

  /** Removes the client's Will whatever its brokerId (aedes passes none). */
  delWill(client: { id: string; brokerId?: string }): Promise<WillPacket | undefined> {
    return this.#write(this.#wills.delete(client.id))
  }

  streamWill(brokers: Record<string, unknown> = {}): Readable {
    return Readable.from(this.#wills.orphans(brokers))
  }

  /**
   * Removes and returns every Will stamped with `brokerId`, atomically: when
   * several brokers claim a dead one's Wills at once, each Will goes to
   * exactly one of them.
   */
  claimWills(brokerId: string): Promise<WillPacket[]> {
    return this.#write(this.#wills.claim(brokerId))
  }

  getClientList(topic: string): Readable {
    return Readable.from(this.#subscriptions.clientsWithFilter(topic))
  }

  openSession(clientId: string): Promise<boolean> {
    return this.#write(this.#sessions.open(clientId, this.#now()))
  }

  getSession(clientId: string): Promise<SessionRecord | undefined> {
    return this.#sessions.get(clientId)
  }

  listSessions(range: SessionRange): Promise<SessionRecord[]> {
    return this.#sessions.list(range)
  }

  /** Reads every session with the prefix, a page at a time, and sorts them (redis keeps no such index). */
  listSessionsSorted(range: SortedSessionRange): Promise<SortedSessionRecord[]> {
    const { prefix } = range
    const batches = sessionBatches(
      (after) => this.listSessions({ prefix, after, limit: 1000 }),
      1000,
    )
    return sortSessionRecords(batches, queuedCounts(this), range)
  }

  countSessions(prefix?: string): Promise<number> {
    return this.#sessions.count(prefix)
  }

  /** Also records `node`, the broker the session is connected to (null for none). */
  touchSession(clientId: string, touch: SessionTouch): Promise<void> {
    return this.#write(this.#sessions.touch(clientId, touch))
  }

  addToSession(clientId: string, counts: { dropped?: number; takeovers?: number }) {
    return this.#write(this.#sessions.add(clientId, counts))
  }

  sessionStats(clientIds: readonly string[]): Promise<Map<string, SessionStats>> {
    return this.#sessions.stats(clientIds)
  }

  idleSessions(before: number, limit: number) {
    return this.#sessions.idle(before, limit)
  }

  endedSessions(now: number, limit: number) {
    return this.#sessions.ended(now, limit)
  }

  nextSessionEnd() {
    return this.#sessions.nextEnd()
  }

  /**
   * Marks disconnected the sessions recorded as connected to no node or to
   * this store's broker (the id given to `setup`); sessions on other nodes
   * are theirs, closed by {@link closeOpenSessionsOf} once a node is found dead.
   */
  async closeOpenSessions(at: number): Promise<number> {
    const nodes = ['']
    if (this.#broker?.id) nodes.push(this.#broker.id)
    return (await this.#write(this.#sessions.closeOpen(nodes, at))).length
  }

  /** Marks disconnected at `at` the sessions recorded as connected to `node`; returns their ClientIDs. */
  closeOpenSessionsOf(node: string, at: number): Promise<string[]> {
    return this.#write(this.#sessions.closeOpen([node], at))
  }

  discardSession(clientId: string): Promise<void> {
    const discarded = this.#scripts
      .run('discardSession', this.#discardKeys(clientId), [this.#keys.prefix, clientId])
      .then(() => this.#subscriptions.forgotten(clientId))
    return this.#write(discarded)
  }

  /** Every node sweeps the shared records: the one whose script still finds the session due ends it. */
  claimExpired(clientId: string, due: ExpiryDue): Promise<boolean> {
    const [which, bound] = 'endedBy' in due ? ['ending', due.endedBy] : ['idle', due.idleBefore]
    const claimed = this.#scripts
      .run('claimExpired', this.#discardKeys(clientId), [this.#keys.prefix, clientId, which, bound])
      .then(async (reply) => {
        if (reply !== 1) return false
        await this.#subscriptions.forgotten(clientId)
        return true
      })
    return this.#write(claimed)
  }

  #discardKeys(clientId: string): string[] {
    return [
      ...this.#keys.outgoing(clientId),
      this.#keys.incoming(clientId),
      this.#keys.subscriptions(clientId),
      this.#keys.subClients,
      this.#keys.sessions,
      this.#keys.session(clientId),
      this.#keys.idle,
    ]
  }

  /** From Redis, the counters every write keeps in step. */
  queuedTotals(clientId: string): Promise<QueueTotals> {
    return this.#outgoing.totals(clientId)
  }

  /**
   * Reads the oldest never-sent entries, then removes those `drop` accepts
   * in one script. Another broker may enqueue meanwhile, so in a cluster the
   * caps are approximate.
   */
  dropOldestQueued(
    clientId: string,
    drop: (entry: QueuedEntry, left: QueueTotals) => boolean,
  ): Promise<void> {
    return this.#write(this.#outgoing.dropOldest(clientId, drop))
  }

  listOutgoing(clientId: string, range: OutgoingRange): Promise<OutgoingEntry[]> {
    return this.#outgoing.list(clientId, range.after ?? 0, range.limit)
  }

  listIncoming(clientId: string, limit: number): Promise<IncomingEntry[]> {
    return this.#incoming.list(clientId, limit)
  }

  listRetained(range: RetainedRange): Promise<RetainedEntry[]> {
    return this.#retained.list(range)
  }

  qos0SubscriptionsByTopic(topic: string): TopicSubscription[] {
    return this.#subscriptions.qos0ByTopic(topic)
  }

  /** Resolves once the subscription changes other brokers announced are mirrored here. */
  subscriptionsSettled(): Promise<void> {
    return this.#subscriptions.settled()
  }

  loadDashboardViews(): Promise<DashboardViewRecord[]> {
    return this.#dashboardViews.all()
  }

  saveDashboardViews(views: readonly DashboardViewRecord[]): Promise<void> {
    return this.#write(this.#dashboardViews.put(views))
  }

  deleteDashboardViews(ids: readonly string[]): Promise<void> {
    return this.#write(this.#dashboardViews.delete(ids))
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending])
  }

  /** Each write commits on its own: nothing to do. */
  commitNow(): void {}

  /** Closes the connection (the data stays); a second call rejects. */
  async destroy(): Promise<void> {
    if (this.#destroyed) throw new SessionLabError('STORE_CLOSED', 'destroy() called twice')
    this.#destroyed = true
    await this.#subscriptions.stop()
    await this.flush()
    await this.#redis.quit()
  }

  #write<T>(write: Promise<T>): Promise<T> {
    if (this.#destroyed) {
      write.catch(() => {})
      return Promise.reject(new SessionLabError('STORE_CLOSED', 'the store is destroyed'))
    }
    this.#pending.add(write)
    const settle = () => this.#pending.delete(write)
    write.then(settle, settle)
    return write
  }
}
