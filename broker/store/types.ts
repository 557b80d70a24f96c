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
}

/** A subscription found by topic: who holds it. */
export interface TopicSubscription extends StoredSubscription {
  clientId: string
}

/**
 * A packet as aedes hands it to the store: a PUBLISH (queued or in flight) or,
 * once the receiver answered PUBREC, the PUBREL that replaced it.
 */
export interface StoredPacket {
  cmd: string
  topic: string
  payload: Buffer
  qos: QoS
  retain: boolean
  dup: boolean
  messageId?: number
  brokerId?: string
  brokerCounter?: number
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
  outgoingUpdate(client: ClientRef, packet: StoredPacket): Promise<void>
  outgoingClearMessageId(
    client: ClientRef,
    packet: { messageId?: number },
  ): Promise<StoredPacket | undefined>
  outgoingStream(client: ClientRef): Readable
  incomingStorePacket(client: ClientRef, packet: StoredPacket): Promise<void>
  incomingGetPacket(client: ClientRef, packet: { messageId?: number }): Promise<StoredPacket>
  incomingDelPacket(client: ClientRef, packet: { messageId?: number }): Promise<void>
  cleanIncoming(client: ClientRef): Promise<void>
  putWill(client: ClientRef, packet: StoredPacket): Promise<void>
  getWill(client: ClientRef): Promise<StoredPacket | undefined>
  delWill(client: { id: string; brokerId?: string }): Promise<StoredPacket | undefined>
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
}
