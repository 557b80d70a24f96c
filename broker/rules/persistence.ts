import { EventEmitter } from 'node:events'
import type { Readable } from 'node:stream'
import { liveConnectionOfBroker, takeBrokerCounter } from '../aedes/instance.ts'
import type { DropReason } from '../policies/counters.ts'
import type {
  ClientRef,
  OutgoingPacket,
  OutgoingRef,
  QoS,
  SessionStore,
  StoreBroker,
  StoredPacket,
  StoredSubscription,
  TopicSubscription,
} from '../store/types.ts'
import { emptyResume, originKey, type ResumeWindow, resumeStream } from './resume.ts'
import { startsNewPersistentSession } from './session-expiry.ts'
import { subscriptionsToResume } from './session-present.ts'
import { SHARED_PREFIX } from './share-names.ts'
import { isSysTopic, SysRetained } from './sys-retained.ts'

/** The session policies as the persistence applies them (broker/policies/). */
export interface PersistencePolicy {
  /**
   * Queues one copy of `packet` per client, within each session's queue caps,
   * in the current write transaction; resolves with how many sessions' caps
   * refused it.
   */
  enqueue(clients: { clientId: string }[], packet: StoredPacket): Promise<number>
  /** Whether offline persistent sessions also get QoS 0 messages (`--queue-qos0`). */
  queuesQos0: boolean
  /** Whether a connection of this ClientID is open. */
  connected(clientId: string): boolean
  /** The window a resume of this connection goes through, if any. */
  windowOf(client: ClientRef): ResumeWindow | undefined
  /** The broker's clock, which MQTT 5 message lifetimes run on. */
  now(): number
  /**
   * Messages of the session dropped from its queue as it resumes (their
   * lifetime ran out, or they are over the client's Maximum Packet Size):
   * counted and in its history.
   */
  dropped(clientId: string, packets: readonly StoredPacket[], why: DropReason): void
}

/** Told of each retained message stored, and asked for each SUBSCRIBE's retained read (retained-once.ts). */
export interface RetainedGate {
  storing(packet: StoredPacket, publisher: ClientRef | null): void
  notStored(packet: StoredPacket): void
  retainedFor(patterns: string[], read: (patterns: string[]) => Readable): Readable
}

/**
 * The RETAIN flag of a message queued for a subscription. Queued, it is sent
 * because it matches an established subscription, so RETAIN=0
 * [MQTT-3.3.1-9], whatever the publisher set; only the answer to a SUBSCRIBE
 * carries RETAIN=1 [MQTT-3.3.1-8]. MQTT 5's Retain As Published (`rap`)
 * keeps the publisher's flag [MQTT-3.3.1-12/13], as aedes does live
 * (handlers/subscribe.js).
 */
/** What one subscriber is owed of a queued message: QoS, RETAIN and Subscription Identifiers. */
interface Owed {
  qos: QoS
  retain: boolean
  ids: number[]
}

/**
 * The copy queued for subscribers owed `owed`: MQTT 5 Subscription
 * Identifiers of every matching subscription go with it [MQTT-3.3.4-3]
 * (several when several match [MQTT-3.3.4-5]); 3.1.1 writers send no properties.
 */
function queuedCopy(packet: StoredPacket, owed: Owed): StoredPacket {
  const { qos, retain, ids } = owed
  if (ids.length === 0) {
    return qos === packet.qos && retain === packet.retain ? packet : { ...packet, qos, retain }
  }
  const properties = {
    ...(packet.properties as object | undefined),
    subscriptionIdentifier: ids.length === 1 ? ids[0] : ids,
  }
  return { ...packet, qos, retain, properties }
}

export function queuedRetain(packet: { retain: boolean }, sub: { rap?: boolean }): boolean {
  return packet.retain && sub.rap === true
}

/** No caps, no QoS 0 queueing, no window: aedes' own behaviour. */
function plainPolicy(store: SessionStore): PersistencePolicy {
  return {
    enqueue: (clients, packet) => store.outgoingEnqueueCombi(clients, packet).then(() => 0),
    queuesQos0: false,
    connected: () => false,
    windowOf: () => undefined,
    now: Date.now,
    dropped: () => {},
  }
}

/**
 * The persistence aedes talks to: a {@link SessionStore} behind the session
 * rules aedes 1.2 gets wrong, each fixed here at the store seam.
 */
export class SessionPersistence {
  readonly store: SessionStore
  /** The broker's own retained `$SYS/` messages, never written to the store. */
  readonly sysRetained = new SysRetained()
  #broker: StoreBroker | null = null
  /** brokerId:brokerCounter of messages committed before their PUBACK/PUBREC. */
  readonly #committed = new Set<string>()
  /** Per connection: queued messages given their packet id while streamed for resume. */
  readonly #assigned = new WeakMap<ClientRef, Set<string>>()
  /** clientId\0messageId of QoS 2 packets stored before aedes first looks them up. */
  readonly #freshIncoming = new Set<string>()
  /** The same, once aedes looked them up: its store of them next is skipped. */
  readonly #storedIncoming = new Set<string>()
  /** QoS 2 PUBLISHes answered PUBREC 0x97: their flow ends there, so no incoming state is kept. */
  readonly #endedIncoming = new WeakSet<object>()
  readonly #policy: PersistencePolicy
  readonly #keep: (sub: StoredSubscription) => boolean
  /** One copy per SUBSCRIBE of a retained message being published (retained-once.ts). */
  retainedGate: RetainedGate | null = null
  /** Shared subscriptions place a QoS 1/2 message as it is committed (shared-subscriptions.ts). */
  sharedGate: { commit(packet: StoredPacket): Promise<void> } | null = null

  /**
   * `keep` says which subscriptions of a SUBSCRIBE were granted: aedes
   * stores the whole packet's list with each granted filter, refused ones
   * included (handlers/subscribe.js storeSubscriptions); see broker/auth/subscriptions.ts.
   */
  constructor(
    store: SessionStore,
    policy: PersistencePolicy = plainPolicy(store),
    keep: (sub: StoredSubscription) => boolean = () => true,
  ) {
    this.store = store
    this.#policy = policy
    this.#keep = keep
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
   * aedes' own enqueue of the same message is then skipped. `client` null is
   * the broker's own message (the operator's publish): no PUBREL will come
   * for it, so no incoming QoS 2 state is kept.
   *
   * Resolves with how many offline sessions' queue caps refused the message
   * (0 for a retransmission already committed): an MQTT 5 publisher is then
   * answered 0x97 (rules/publish.ts, and {@link endIncoming}).
   */
  async commitBeforeAck(client: ClientRef | null, packet: StoredPacket): Promise<number> {
    const broker = this.#broker
    if (!broker) throw new Error('persistence used before setup')
    if (client && packet.qos === 2 && (await this.#hasIncoming(client, packet))) return 0
    const key = this.#stamp(broker, packet)
    const subs = await this.store.subscriptionsByTopic(packet.topic)
    const qos0 = this.#offlineQos0(packet.topic)
    const writes: Promise<unknown>[] = [
      this.#enqueue(qos0.length ? [...subs, ...qos0] : subs, packet),
    ]
    if (packet.retain) writes.push(this.#storeRetained(packet, client))
    if (this.sharedGate) writes.push(this.sharedGate.commit(packet))
    const incoming = client && packet.qos === 2 ? client : null
    if (incoming) writes.push(this.store.incomingStorePacket(incoming, packet))
    const [refused] = (await Promise.all(writes)) as [number, ...unknown[]]
    this.#committed.add(key)
    if (incoming) this.#freshIncoming.add(`${incoming.id}\0${packet.messageId}`)
    return refused
  }

  /**
   * Stores a client's retained QoS 0 PUBLISH before aedes routes it, where
   * aedes would store it in its publish series (see `routeAsStored`,
   * broker/aedes/routing.ts): the message gets its origin now, for the router
   * to know it again. Nothing acknowledges a QoS 0 message, so nothing waits
   * for this but its own routing.
   */
  storeRetainedFirst(client: ClientRef, packet: StoredPacket): Promise<void> {
    const broker = this.#broker
    if (!broker) throw new Error('persistence used before setup')
    this.#stamp(broker, packet)
    return this.#storeRetained(packet, client)
  }

  /**
   * A QoS 2 PUBLISH committed by {@link commitBeforeAck} is answered PUBREC
   * 0x97: the flow ends there, no PUBREL comes [MQTT-5: 4.3.3], so its
   * incoming state, committed with the rest, is deleted again (an extra
   * write on that path only) and aedes' own store of it is skipped. Should
   * the broker stop in between, the publisher's retransmission finds it
   * and gets PUBREC 0x00, and its PUBREL deletes it.
   */
  async endIncoming(client: ClientRef, packet: StoredPacket): Promise<void> {
    this.#endedIncoming.add(packet)
    await this.store.incomingDelPacket(client, packet)
  }

  /**
   * Gives the packet its origin now: aedes-packet keeps an existing
   * brokerId/brokerCounter, so the message aedes publishes next carries the
   * identity we stored it under.
   */
  #stamp(broker: StoreBroker, packet: StoredPacket): string {
    // stamped once: a retained QoS 0 message is stored, then maybe queued
    if (packet.brokerId !== broker.id || packet.brokerCounter === undefined) {
      packet.brokerId = broker.id
      packet.brokerCounter = takeBrokerCounter(broker)
    }
    return `${broker.id}:${packet.brokerCounter}`
  }

  /** QoS 0 subscriptions of offline persistent sessions, when `--queue-qos0` asks for their copies. */
  #offlineQos0(topic: string): TopicSubscription[] {
    if (!this.#policy.queuesQos0) return []
    return this.store
      .qos0SubscriptionsByTopic(topic)
      .filter((sub) => !this.#policy.connected(sub.clientId))
  }

  /**
   * With `--queue-qos0`, queues a QoS 0 PUBLISH at QoS 0 for each offline
   * persistent session it matches (aedes never queues QoS 0). There is no
   * acknowledgement to hold back, so nothing waits for the commit but the
   * message's own delivery. Null, at once, when the setting is off; else
   * how many sessions' caps refused it.
   */
  queueQos0(packet: StoredPacket): Promise<number> | null {
    const broker = this.#broker
    if (!broker || !this.#policy.queuesQos0) return null
    return this.#queueQos0(broker, packet)
  }

  async #queueQos0(broker: StoreBroker, packet: StoredPacket): Promise<number> {
    const subs = [
      ...(await this.store.subscriptionsByTopic(packet.topic)),
      ...this.store.qos0SubscriptionsByTopic(packet.topic),
    ].filter((sub) => !this.#policy.connected(sub.clientId))
    if (subs.length === 0) return 0
    this.#stamp(broker, packet)
    return this.#enqueue(subs, packet)
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
   * capped by the highest QoS among its matching subscriptions [MQTT-3.8.4-6];
   * and with the RETAIN flag it is owed (see {@link queuedRetain}). Resolves
   * with how many sessions' caps refused their copy.
   */
  async #enqueue(subs: TopicSubscription[], packet: StoredPacket): Promise<number> {
    if (subs.length === 0) return 0
    const owed = new Map<string, { qos: number; retain: boolean; ids: number[] }>()
    for (const sub of subs) {
      const seen = owed.get(sub.clientId)
      const retain = queuedRetain(packet, sub)
      const id = sub.subscriptionIdentifier
      if (!seen) owed.set(sub.clientId, { qos: sub.qos, retain, ids: id ? [id] : [] })
      else {
        seen.qos = Math.max(seen.qos, sub.qos)
        seen.retain ||= retain
        if (id && !seen.ids.includes(id)) seen.ids.push(id)
      }
    }
    const groups = new Map<string, { owed: Owed; clients: { clientId: string }[] }>()
    for (const [clientId, { qos, retain, ids }] of owed) {
      const copy = { qos: Math.min(packet.qos, qos) as QoS, retain, ids: ids.sort((a, b) => a - b) }
      const key = `${copy.qos}${retain ? 'r' : ''}${copy.ids.join(',')}`
      const group = groups.get(key)
      if (group) group.clients.push({ clientId })
      else groups.set(key, { owed: copy, clients: [{ clientId }] })
    }
    const writes: Promise<number>[] = []
    for (const { owed, clients } of groups.values()) {
      writes.push(this.#policy.enqueue(clients, queuedCopy(packet, owed)))
    }
    let refused = 0
    for (const n of await Promise.all(writes)) refused += n
    return refused
  }

  async outgoingEnqueueCombi(subs: TopicSubscription[], packet: StoredPacket): Promise<void> {
    if (this.#committed.delete(`${packet.brokerId}:${packet.brokerCounter}`)) return
    await this.#enqueue(subs, packet)
  }

  /** Queues one copy for one session, within its queue caps (a shared subscription's member). */
  async queueFor(clientId: string, packet: StoredPacket): Promise<void> {
    await this.#policy.enqueue([{ clientId }], packet)
  }

  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void> {
    return this.store.outgoingEnqueue(sub, packet)
  }

  /** A session that exists says so in CONNACK even without subscriptions [MQTT-3.2.2-2]. */
  async subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]> {
    const existed = await this.store.openSession(client.id)
    const subs = await this.store.subscriptionsByClient(client)
    return subscriptionsToResume(subs, existed)
  }

  /**
   * aedes calls this for CleanSession=1 / Clean Start 1: the whole earlier
   * session goes [MQTT-3.1.2-6] [MQTT-3.1.2-4]. An MQTT 5 session started
   * so that outlives its connection is a new persistent one: recorded, so
   * its Session Expiry Interval is kept and it ends (see {@link startsNewPersistentSession}).
   */
  async cleanSubscriptions(client: ClientRef): Promise<void> {
    await this.store.discardSession(client.id)
    if (startsNewPersistentSession(client)) await this.store.openSession(client.id)
  }

  /** Streams a session's queue for aedes to send on resume: see {@link resumeStream}. */
  outgoingStream(client: ClientRef): Readable {
    const window = this.#policy.windowOf(client)
    // aedes asks at every CONNECT, and most queues are empty
    if (this.store.hasOutgoing?.(client.id) === false) return emptyResume(client, window)
    const assigned = new Set<string>()
    this.#assigned.set(client, assigned)
    return resumeStream(this.store, client, assigned, window, this.#policy)
  }

  /** A packet id given out by `outgoingStream` is already stored: nothing to do. */
  async outgoingUpdate(client: ClientRef, packet: StoredPacket): Promise<void> {
    // A queued QoS 0 message left the queue as it was streamed (and has no packet id).
    if (packet.cmd === 'publish' && packet.qos === 0) return
    if (this.#assigned.get(client)?.delete(originKey(packet))) return
    try {
      await this.store.outgoingUpdate(client, packet)
    } catch (err) {
      // A SUBSCRIBE stored after the message was committed (commitBeforeAck
      // reads the subscriptions before PUBACK, aedes routes after it) gets
      // it live with no queue entry to number; aedes would close the
      // connection ('no such packet'). Queued now, it is sent as any other.
      if (packet.cmd !== 'publish' || !packet.brokerId) throw err
      await this.store.outgoingEnqueue({ clientId: client.id }, packet)
      await this.store.outgoingUpdate(client, packet)
    }
  }

  async incomingGetPacket(client: ClientRef, packet: { messageId?: number }) {
    // committed in commitBeforeAck: to aedes it is still a first delivery
    const key = `${client.id}\0${packet.messageId}`
    if (this.#freshIncoming.delete(key)) {
      this.#storedIncoming.add(key)
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
    if (!(client instanceof EventEmitter) && this.#broker) {
      const live = liveConnectionOfBroker(this.#broker, client.id)
      if (live && !live.closed) return Promise.resolve(undefined)
    }
    return this.store.delWill(client)
  }

  /** `$SYS/` retained messages stay in memory, the clients' go to the store (see SysRetained). */
  storeRetained = async (p: StoredPacket) => {
    if (isSysTopic(p.topic)) this.sysRetained.store(p)
    else await this.#storeRetained(p, null)
  }
  async #storeRetained(p: StoredPacket, publisher: ClientRef | null): Promise<void> {
    this.retainedGate?.storing(p, publisher)
    try {
      await this.store.storeRetained(p)
    } catch (err) {
      this.retainedGate?.notStored(p)
      throw err
    }
  }
  createRetainedStream = (pattern: string) => this.createRetainedStreamCombi([pattern])
  createRetainedStreamCombi = (patterns: string[]) => {
    // no retained messages on a shared subscription (MQTT 5 §4.8.2; shared-subscriptions.ts)
    const read = (all: string[]) => {
      const some = all.filter((pattern) => !pattern.startsWith(SHARED_PREFIX))
      return this.sysRetained.stream(some, (others) => this.store.createRetainedStreamCombi(others))
    }
    return this.retainedGate ? this.retainedGate.retainedFor(patterns, read) : read(patterns)
  }
  // Plain delegation for the rest of the aedes-persistence interface.
  addSubscriptions = (c: ClientRef, s: StoredSubscription[]) =>
    this.store.addSubscriptions(c, s.filter(this.#keep))
  removeSubscriptions = (c: ClientRef, t: string[]) => this.store.removeSubscriptions(c, t)
  countOffline = () => this.store.countOffline()
  subscriptionsByTopic = (topic: string) => this.store.subscriptionsByTopic(topic)
  /**
   * aedes calls this for a PUBACK or PUBCOMP and only passes the entry on to
   * its 'ack' event, which nothing in SessionLab listens to (the inspector
   * sees the acknowledgement itself), so a store that can skip reading the
   * entry back does: the 'ack' event then carries no packet.
   */
  async outgoingClearMessageId(c: ClientRef, p: OutgoingRef): Promise<OutgoingPacket | undefined> {
    if (p.messageId != null && this.store.outgoingAcknowledge) {
      await this.store.outgoingAcknowledge(c, p.messageId)
      return undefined
    }
    return this.store.outgoingClearMessageId(c, p)
  }
  /**
   * aedes stores a QoS 2 PUBLISH again before it publishes it, right after
   * {@link incomingGetPacket} said it had none: not one committed already
   * (a second write and a second commit to wait for), nor one whose flow
   * ended (0x97).
   */
  incomingStorePacket = (c: ClientRef, p: StoredPacket): Promise<void> =>
    this.#storedIncoming.delete(`${c.id}\0${p.messageId}`) || this.#endedIncoming.has(p)
      ? Promise.resolve()
      : this.store.incomingStorePacket(c, p)
  incomingDelPacket = (c: ClientRef, p: { messageId?: number }) =>
    this.store.incomingDelPacket(c, p)
  cleanIncoming = (c: ClientRef) => this.store.cleanIncoming(c)
  putWill = (c: ClientRef, p: StoredPacket) => this.store.putWill(c, p)
  getWill = (c: ClientRef) => this.store.getWill(c)
  streamWill = (brokers?: Record<string, unknown>) => this.store.streamWill(brokers)
  getClientList = (topic: string) => this.store.getClientList(topic)
  destroy = () => this.store.destroy()
}
