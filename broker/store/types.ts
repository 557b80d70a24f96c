import type { Readable } from 'node:stream'

/** QoS levels of MQTT 3.1.1. */
export type QoS = 0 | 1 | 2

/** What the store needs of a client: aedes passes its Client, tests pass `{ id }`. */
export interface ClientRef {
  id: string
}

/** A subscription as a session holds it. */
export interface StoredSubscription {
  topic: string
  qos: QoS
  rh?: number
  rap?: boolean
  nl?: boolean
  /** MQTT 5 Subscription Identifier; kept per client, never in the topic trie. */
  subscriptionIdentifier?: number
}

/** A subscription found by topic: who holds it. */
export interface TopicSubscription extends StoredSubscription {
  clientId: string
}

/**
 * A packet as aedes hands it to the store: a PUBLISH, queued or in flight.
 * `payload` is a string when the publisher passed one (aedes' own contract
 * suite stores string payloads and expects them back as strings).
 */
export interface StoredPacket {
  cmd: string
  topic: string
  payload: Buffer | string
  qos: QoS
  retain: boolean
  dup: boolean
  messageId?: number
  brokerId?: string
  brokerCounter?: number
  clientId?: string
  [key: string]: unknown
}

/**
 * What replaces a QoS 2 PUBLISH in the outgoing queue once the receiver
 * answered PUBREC [MQTT-4.3.3-1]: aedes hands `{ cmd: 'pubrel', messageId }`.
 */
export interface PubrelPacket {
  cmd: 'pubrel'
  messageId: number
  brokerId?: string
  brokerCounter?: number
}

/** An entry of a client's outgoing queue. */
export type OutgoingPacket = StoredPacket | PubrelPacket

/** What identifies an entry of the outgoing queue. */
export interface OutgoingRef {
  messageId?: number
  brokerId?: string
  brokerCounter?: number
}

/**
 * A Will as CONNECT carried it; `putWill` stamps `brokerId` and `clientId`
 * on it, as aedes' stores do.
 */
export interface WillPacket {
  topic: string
  payload: Buffer | string
  qos: QoS
  retain: boolean
  brokerId?: string
  clientId?: string
  [key: string]: unknown
}

/** The broker aedes passes to `setup`. */
export interface StoreBroker {
  id: string
  [key: string]: unknown
}

/**
 * The aedes-persistence 11 async interface (see
 * node_modules/aedes-persistence/types/asyncPersistence.d.ts). Every store runs
 * aedes' own contract suite, `aedes-persistence/abstract.js`.
 */
export interface AedesPersistence {
  setup(broker: StoreBroker): Promise<void>
  storeRetained(packet: StoredPacket): Promise<void>
  createRetainedStream(pattern: string): Readable
  createRetainedStreamCombi(patterns: string[]): Readable
  addSubscriptions(client: ClientRef, subs: StoredSubscription[]): Promise<void>
  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void>
  subscriptionsByClient(client: ClientRef): Promise<StoredSubscription[]>
  countOffline(): Promise<{ subsCount: number; clientsCount: number }>
  subscriptionsByTopic(topic: string): Promise<TopicSubscription[]>
  cleanSubscriptions(client: ClientRef): Promise<void>
  outgoingEnqueue(sub: { clientId: string }, packet: StoredPacket): Promise<void>
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: StoredPacket): Promise<void>
  /**
   * Records what became of a queue entry. The entry with the packet's
   * brokerId+brokerCounter takes its messageId (the PUBLISH was sent);
   * otherwise the first entry with the packet's messageId and another origin
   * is replaced by the packet, in place (a PUBREL replaces its PUBLISH).
   * Rejects with `Error('no such packet')` when no entry matches.
   */
  outgoingUpdate(client: ClientRef, packet: OutgoingPacket): Promise<void>
  /**
   * Removes the client's first queue entry with `packet.messageId` and returns
   * it. Without a messageId (a packet aedes never sent, e.g. one
   * `authorizeForward` refused) the entry is found by brokerId+brokerCounter.
   */
  outgoingClearMessageId(
    client: ClientRef,
    packet: OutgoingRef,
  ): Promise<OutgoingPacket | undefined>
  /**
   * Streams the client's queue, oldest first, as {@link OutgoingPacket}s: the
   * entries queued when it is called (later ones are not included).
   */
  outgoingStream(client: ClientRef): Readable
  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void>
  incomingGetPacket(client: ClientRef, packet: { messageId?: number }): Promise<StoredPacket>
  incomingDelPacket(client: ClientRef, packet: { messageId?: number }): Promise<void>
  cleanIncoming(client: ClientRef): Promise<void>
  putWill(client: ClientRef, packet: WillPacket): Promise<void>
  getWill(client: ClientRef): Promise<WillPacket | undefined>
  delWill(client: { id: string; brokerId?: string }): Promise<WillPacket | undefined>
  streamWill(brokers?: Record<string, unknown>): Readable
  getClientList(topic: string): Readable
  destroy(): Promise<void>
}

/**
 * A session store: the aedes interface plus what SessionLab needs to get the
 * session rules right, which no aedes store offers. A "session" here is the
 * state the broker keeps for a ClientID that connected with CleanSession=0.
 */
export interface SessionStore extends AedesPersistence {
  readonly kind: 'sqlite' | 'memory'
  /**
   * Marks that a persistent session exists for `clientId`, creating it if
   * needed, and tells whether it existed before: CONNACK's session-present
   * flag [MQTT-3.2.2-2]. Committed before it resolves.
   */
  openSession(clientId: string): Promise<boolean>
  /**
   * Discards everything held for `clientId`: subscriptions, queued and
   * in-flight messages, incoming QoS 2 state and the session marker
   * [MQTT-3.1.2-6]. The Will is not part of it. Committed before it resolves.
   */
  discardSession(clientId: string): Promise<void>
  /** Resolves once every write issued so far is committed. */
  flush(): Promise<void>
  /** Commits every write issued so far before returning (a no-op where nothing is pending). */
  commitNow(): void
}
