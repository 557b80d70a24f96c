import type { Aedes } from 'aedes'
import { type Client, type DeliveryPacket, grantedSubscriptions } from '../aedes/connection.ts'
import { liveConnection, onRouted } from '../aedes/instance.ts'
import { beforeRoute, deliverTo } from '../aedes/routing.ts'
import type { SessionStore, StoredPacket } from '../store/types.ts'
import { topicMatches } from './qos.ts'
import { heldFilter, SHARED_PREFIX, type ShareName, sharedFilterOf } from './share-names.ts'

/**
 * Shared subscriptions, `$share/{ShareName}/{filter}` (MQTT 5 §4.8.2; on
 * MQTT 3.1.1 too, as Mosquitto and VerneMQ allow): each message matching
 * the filter goes to one member of the group, not to each.
 *
 * - Which member: round-robin over the group's connected members (on any
 *   cluster node), in ClientID order; when none is connected, round-robin
 *   over its offline persistent members, whose queue keeps the message until
 *   they return [MQTT-4.8.2-4]: nothing is lost, and nothing waits in an
 *   offline queue while a member could take it. A message queued for a
 *   member stays that member's [MQTT-4.8.2-5]. A clean member's share ends
 *   with its connection. VerneMQ documents the same preference; Mosquitto
 *   2.0.11 round-robins over connected and offline members alike
 *   (docs/session-rules.md#shared-subscriptions).
 * - At QoS min(message, member's grant) [MQTT-4.8.2-3], RETAIN 0; no
 *   retained messages when the subscription is made (filtered in
 *   persistence.ts): MQTT 5 §3.3.1.3 sends them "when a new Non-shared
 *   Subscription is made" (no numbered rule).
 * - A QoS 1/2 message is placed as it is committed, before its PUBACK: a
 *   copy for an offline member is committed with the rest.
 * - The membership is a subscription aedes keeps (spelled
 *   {@link SHARED_PREFIX}), so it is stored, resumed and deleted with the
 *   session.
 */

/** A connected member, on whichever broker node holds its connection. */
export interface OnlineMember {
  key: string
  clientId: string
  qos: number
  node: string
}

/** A change to the connected members: applied by the node that made it, told to the others. */
export type MemberChange = OnlineMember & { gone?: true }

/**
 * Where the connected members of every group are kept: this node alone, or
 * the whole cluster (broker/cluster/shared-members.ts).
 */
export interface SharedDirectory {
  /** The members connected anywhere as this node starts. */
  load(): Promise<OnlineMember[]>
  /** Tells the other nodes; this node has already applied it. */
  tell(change: MemberChange): void
  /** Changes made on other nodes. */
  onChange(listener: (change: MemberChange) => void): void
}

/** One broker: nothing to tell. */
export const localDirectory: SharedDirectory = {
  load: async () => [],
  tell: () => {},
  onChange: () => {},
}

interface Group extends ShareName {
  /** Connected members by ClientID: their grant and node. */
  online: Map<string, { qos: number; node: string }>
  turn: number
}

/** Where one group's copy of a message goes: chosen once, by the node it was published on. */
interface Choice {
  clientId: string
  qos: number
  /** The node that delivers it; null when it was queued for an offline member. */
  node: string | null
}

/** The next in turn of `ids` (sorted by ClientID), advancing the group's turn. */
function nextInTurn<T extends { clientId: string }>(group: Group, ids: T[]): T | undefined {
  if (ids.length === 0) return undefined
  ids.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
  return ids[group.turn++ % ids.length]
}

export interface SharedDeps {
  store: SessionStore
  /** Queues a copy for an offline session within its queue caps (the session policies). */
  enqueue(clientId: string, packet: StoredPacket): Promise<void>
  directory?: SharedDirectory
  warn?(message: string): void
}

/** Choices kept for messages committed and not yet routed, at most. */
const MAX_COMMITTED = 10_000

/** The field of a routed message that carries each group's choice to every node. */
const CHOICES = 'sessionlabShared'
type Routed = DeliveryPacket & { [CHOICES]?: Record<string, Choice> }

/**
 * Every node keeps the connected members of every group (the directory);
 * the node a message is published on chooses, for each matching group, the
 * member that gets it, and the choice travels with the message through the
 * router, so each node delivers only to the chosen members it holds. A
 * message for an offline member is queued by the node that chose it.
 */
export class SharedSubscriptions {
  readonly #groups = new Map<string, Group>()
  /** Filters the router delivers to this node's dispatcher. */
  readonly #routed = new Set<string>()
  /** Choices made as a QoS 1/2 message was committed, by origin, until it is routed. */
  readonly #committed = new Map<string, Record<string, Choice>>()
  readonly #deps: SharedDeps
  readonly #directory: SharedDirectory
  #aedes: Aedes | null = null

  constructor(deps: SharedDeps) {
    this.#deps = deps
    this.#directory = deps.directory ?? localDirectory
  }

  get #node(): string {
    return this.#aedes?.id ?? ''
  }

  /** Follows SUBSCRIBEs, resumes and disconnects, and the other nodes' members. */
  async attach(aedes: Aedes): Promise<void> {
    this.#aedes = aedes
    await this.#loadGroups()
    this.#directory.onChange((change) => this.#apply(change))
    for (const member of await this.#directory.load()) this.#apply(member)
    beforeRoute(aedes, (packet) => this.#choose(packet as Routed))
    aedes.on('subscribe', (subs, client) => {
      for (const sub of subs) {
        const share = sharedFilterOf(sub.topic)
        if (share && sub.qos < 128) this.#join(share, client, sub.qos)
      }
    })
    aedes.on('unsubscribe', (topics, client) => {
      for (const topic of topics) {
        const share = sharedFilterOf(topic)
        if (share) this.#leave(keyOf(share), client.id)
      }
    })
    // a resumed session's subscriptions are in place when 'client' is emitted
    aedes.on('client', (client) => {
      for (const [topic, sub] of Object.entries(grantedSubscriptions(client))) {
        const share = sharedFilterOf(topic)
        if (share) this.#join(share, client, sub.qos)
      }
    })
    aedes.on('clientDisconnect', (client) => {
      for (const [key, group] of this.#groups) {
        if (group.online.get(client.id)?.node === this.#node) this.#leave(key, client.id)
      }
    })
  }

  /**
   * As a QoS 1/2 message is committed (before its PUBACK): chooses the
   * member of each matching group; a copy for an offline member is
   * committed with the rest.
   */
  async commit(packet: StoredPacket): Promise<void> {
    const choices: Record<string, Choice> = {}
    const writes: Promise<void>[] = []
    for (const [key, group] of this.#groups) {
      if (!matches(group.filter, packet.topic)) continue
      const online = nextInTurn(
        group,
        [...group.online].map(([clientId, m]) => ({ clientId, ...m })),
      )
      if (online) {
        choices[key] = online
        continue
      }
      writes.push(
        this.#queueForOffline(group, packet).then((choice) => {
          if (choice) choices[key] = choice
        }),
      )
    }
    await Promise.all(writes)
    if (Object.keys(choices).length === 0) return
    this.#committed.set(originOf(packet), choices)
    // a message committed and never routed (its PUBACK could not be written) is forgotten in time
    if (this.#committed.size > MAX_COMMITTED) {
      this.#committed.delete(this.#committed.keys().next().value as string)
    }
  }

  /** Queues the group's copy for one offline persistent member, in turn; its choice. */
  async #queueForOffline(group: Group, packet: StoredPacket): Promise<Choice | undefined> {
    const { store, enqueue } = this.#deps
    const filter = heldFilter(group)
    const ids: string[] = []
    for await (const id of store.getClientList(filter)) ids.push(String(id))
    const member = nextInTurn(
      group,
      ids.map((clientId) => ({ clientId })),
    )
    if (!member) return undefined
    const subs = await store.subscriptionsByClient({ id: member.clientId })
    const qos = subs.find((sub) => sub.topic === filter)?.qos ?? 0
    const choice = { clientId: member.clientId, qos, node: null }
    if (packet.qos > 0)
      await enqueue(member.clientId, copyFor(group, choice, packet) as StoredPacket)
    return choice
  }

  /** As the message enters the router on this node: the choice of every matching group. */
  #choose(packet: Routed): void {
    if (packet.cmd !== 'publish' || this.#groups.size === 0 || packet[CHOICES]) return
    const origin = originOf(packet)
    const choices = this.#committed.get(origin) ?? {}
    this.#committed.delete(origin)
    for (const [key, group] of this.#groups) {
      if (key in choices || !matches(group.filter, packet.topic)) continue
      const online = nextInTurn(
        group,
        [...group.online].map(([clientId, m]) => ({ clientId, ...m })),
      )
      if (online) choices[key] = online
      // not committed (QoS 0, or a group newer than the commit): a QoS 1/2 copy is queued now
      else if (packet.qos > 0) {
        this.#queueForOffline(group, packet as StoredPacket).catch((err) =>
          this.#deps.warn?.(`shared subscription queue failed: ${err}`),
        )
      }
    }
    if (Object.keys(choices).length > 0) packet[CHOICES] = choices
  }

  /** On every node, as the router hands it the message: delivers the choices it holds. */
  #dispatch(filter: string, packet: Routed): void {
    const choices = packet[CHOICES]
    if (!choices || !this.#aedes) return
    for (const [key, group] of this.#groups) {
      const choice = choices[key]
      if (group.filter !== filter || !choice || choice.node !== this.#node) continue
      const client = liveConnection(this.#aedes, choice.clientId)
      if (client && !client.closed) deliverTo(client, copyFor(group, choice, packet), () => {})
      else if (packet.qos > 0) {
        // gone between the choice and now: its session keeps it, if it has one
        this.#queueIfMember(group, choice, packet).catch((err) =>
          this.#deps.warn?.(`shared subscription queue failed: ${err}`),
        )
      }
    }
  }

  async #queueIfMember(group: Group, choice: Choice, packet: DeliveryPacket): Promise<void> {
    const subs = await this.#deps.store.subscriptionsByClient({ id: choice.clientId })
    const filter = heldFilter(group)
    if (!subs.some((sub) => sub.topic === filter)) return
    await this.#deps.enqueue(choice.clientId, copyFor(group, choice, packet) as StoredPacket)
  }

  /** The groups of the persistent sessions in the store: their members may all be offline. */
  async #loadGroups(): Promise<void> {
    const { store } = this.#deps
    const page = 500
    let after: string | undefined
    for (;;) {
      const sessions = await store.listSessions({ limit: page, ...(after ? { after } : {}) })
      for (const session of sessions) {
        for (const sub of await store.subscriptionsByClient({ id: session.clientId })) {
          const share = sharedFilterOf(sub.topic)
          if (share) this.#groupOf(keyOf(share))
        }
      }
      if (sessions.length < page) return
      after = sessions[sessions.length - 1].clientId
    }
  }

  #groupOf(key: string): Group {
    let group = this.#groups.get(key)
    if (!group) {
      const [name, filter] = key.split('\0')
      group = { group: name, filter, online: new Map(), turn: 0 }
      this.#groups.set(key, group)
      this.#route(filter)
    }
    return group
  }

  #join(share: ShareName, client: Client, qos: number): void {
    const change = { key: keyOf(share), clientId: client.id, qos, node: this.#node }
    this.#apply(change)
    this.#directory.tell(change)
  }

  #leave(key: string, clientId: string): void {
    const change = { key, clientId, qos: 0, node: this.#node, gone: true as const }
    this.#apply(change)
    this.#directory.tell(change)
  }

  #apply(change: MemberChange): void {
    if (change.gone) {
      // only the node that holds the member may remove it (a takeover moved it elsewhere)
      const group = this.#groups.get(change.key)
      if (group?.online.get(change.clientId)?.node === change.node) {
        group.online.delete(change.clientId)
      }
      return
    }
    this.#groupOf(change.key).online.set(change.clientId, { qos: change.qos, node: change.node })
  }

  #route(filter: string): void {
    if (this.#routed.has(filter) || !this.#aedes) return
    this.#routed.add(filter)
    void onRouted(this.#aedes, filter, (packet, done) => {
      if (matches(filter, packet.topic)) this.#dispatch(filter, packet as Routed)
      done()
    })
  }
}

function keyOf(share: ShareName): string {
  return `${share.group}\0${share.filter}`
}

function originOf(packet: { brokerId?: string; brokerCounter?: number }): string {
  return `${packet.brokerId}:${packet.brokerCounter}`
}

/** [MQTT-4.7.2-1] holds for a shared filter's topic filter too. */
function matches(filter: string, topic: string): boolean {
  return !topic.startsWith(SHARED_PREFIX) && topicMatches(filter, topic)
}

/**
 * The member's copy: its QoS, RETAIN 0, and an origin of its own, so a
 * member that also holds an ordinary subscription matching the topic gets
 * both copies (MQTT 5 §4.8.2) rather than aedes' dedupe dropping one.
 */
function copyFor<P extends DeliveryPacket | StoredPacket>(
  group: Group,
  member: Choice,
  packet: P,
): P {
  const { [CHOICES]: _choices, ...rest } = packet as P & { [CHOICES]?: unknown }
  return {
    ...(rest as P),
    qos: Math.min(packet.qos, member.qos) as P['qos'],
    retain: false,
    dup: false,
    brokerId: `${packet.brokerId}#share/${group.group}`,
  }
}
