import type { Client } from 'aedes'
import { grantedSubscriptions, onIncomingPacket } from '../aedes/connection.ts'
import { isSessionMarker } from '../rules/session-present.ts'
import type { Identity } from './acl.ts'

interface Sub {
  topic: string
}

export interface SubscriptionRules {
  /** Whether the ACL lets `who` subscribe to `filter`. */
  allowed(who: Identity, filter: string): boolean
  maxSubscriptions: number
  maxTopicLength: number
  /** Told of every refused filter. */
  onDenied(): void
}

/**
 * Decides, per SUBSCRIBE packet and all at once, which of its filters are
 * granted. aedes asks `authorizeSubscribe` one filter at a time but stores
 * each allowed filter by writing the *whole* packet's list
 * (handlers/subscribe.js storeSubscriptions), possibly before it asked
 * about the next one; so the packet's decisions are made when the first of
 * its filters is asked about, and the persistence keeps only the granted
 * ones (`kept`): a refused filter is never stored, nor delivered on resume.
 */
export class SubscriptionGate {
  readonly #rules: SubscriptionRules
  /** Each filter of a SUBSCRIBE read from the wire -> the packet's filters. */
  readonly #packetOf = new WeakMap<Sub, Sub[]>()
  readonly #granted = new WeakMap<Sub, boolean>()
  /** Filters each client holds or has been granted, for the per-client limit. */
  readonly #held = new WeakMap<Client, Set<string>>()

  constructor(rules: SubscriptionRules) {
    this.#rules = rules
  }

  /** Watches a connection's SUBSCRIBE and UNSUBSCRIBE packets as they are parsed. */
  watch(client: Client): void {
    onIncomingPacket(
      client,
      (packet) => {
        if (packet.cmd === 'subscribe' && packet.subscriptions) {
          for (const sub of packet.subscriptions) this.#packetOf.set(sub, packet.subscriptions)
        } else if (packet.cmd === 'unsubscribe' && packet.unsubscriptions) {
          const held = this.#held.get(client)
          for (const topic of packet.unsubscriptions) held?.delete(topic)
        }
      },
      { first: true },
    )
  }

  /** Whether `sub` is granted to `who`; a filter restored from a stored session is checked against the ACL only. */
  grant(client: Client, who: Identity, sub: Sub): boolean {
    const known = this.#granted.get(sub)
    if (known !== undefined) return known
    const packet = this.#packetOf.get(sub)
    if (!packet) return this.#rules.allowed(who, sub.topic)
    const held = this.#heldBy(client)
    const max = this.#rules.maxSubscriptions
    for (const each of packet) {
      const ok =
        Buffer.byteLength(each.topic) <= this.#rules.maxTopicLength &&
        this.#rules.allowed(who, each.topic) &&
        (max === 0 || held.has(each.topic) || held.size < max)
      if (ok) held.add(each.topic)
      else this.#rules.onDenied()
      this.#granted.set(each, ok)
    }
    return this.#granted.get(sub) ?? false
  }

  /** For the persistence: false for a filter refused in its SUBSCRIBE. */
  kept(sub: Sub): boolean {
    return this.#granted.get(sub) !== false
  }

  #heldBy(client: Client): Set<string> {
    let held = this.#held.get(client)
    if (!held) {
      held = new Set(Object.keys(grantedSubscriptions(client)).filter((t) => !isSessionMarker(t)))
      this.#held.set(client, held)
    }
    return held
  }
}
