import type { Database, Statement } from 'better-sqlite3'
import { toQoS } from '../packet.ts'
import { SubscriptionTrie } from '../topics.ts'
import type { StoredSubscription, TopicSubscription } from '../types.ts'

interface SubscriptionRow {
  client_id: string
  topic: string
  qos: number
  rh: number | null
  rap: number | null
  nl: number | null
  subscription_id: number | null
}

/**
 * The `subscriptions` table, mirrored for qos > 0 in an in-memory trie so
 * that matching a publish never touches disk. The trie is loaded by `load`
 * (from the store's `setup`) and changed in step with each write.
 */
export class Subscriptions {
  readonly #db: Database
  readonly #trie = new SubscriptionTrie()
  /** Clients with at least one subscription, for `countOffline`. */
  #clientsCount = 0
  readonly #all: Statement<[], SubscriptionRow>
  readonly #byClient: Statement<[string], SubscriptionRow>
  readonly #qosOf: Statement<[string, string], number>
  readonly #hasAny: Statement<[string], number>
  readonly #upsert: Statement<unknown[]>
  readonly #delete: Statement<[string, string]>
  readonly #deleteClient: Statement<[string]>
  readonly #clientsByTopic: Statement<[string], string>

  constructor(db: Database) {
    this.#db = db
    this.#all = db.prepare('SELECT * FROM subscriptions WHERE qos > 0 ORDER BY rowid')
    this.#byClient = db.prepare('SELECT * FROM subscriptions WHERE client_id = ? ORDER BY rowid')
    this.#qosOf = db
      .prepare<[string, string], number>(
        'SELECT qos FROM subscriptions WHERE client_id = ? AND topic = ?',
      )
      .pluck()
    this.#hasAny = db
      .prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM subscriptions WHERE client_id = ?)')
      .pluck()
    // An upsert, not REPLACE: the rowid, and so the listing order, stays.
    this.#upsert = db.prepare(
      `INSERT INTO subscriptions (client_id, topic, qos, rh, rap, nl, subscription_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_id, topic) DO UPDATE SET qos = excluded.qos, rh = excluded.rh,
         rap = excluded.rap, nl = excluded.nl, subscription_id = excluded.subscription_id`,
    )
    this.#delete = db.prepare('DELETE FROM subscriptions WHERE client_id = ? AND topic = ?')
    this.#deleteClient = db.prepare('DELETE FROM subscriptions WHERE client_id = ?')
    this.#clientsByTopic = db
      .prepare<[string], string>(
        'SELECT client_id FROM subscriptions WHERE topic = ? ORDER BY rowid',
      )
      .pluck()
    this.#clientsCount = db
      .prepare('SELECT count(DISTINCT client_id) FROM subscriptions')
      .pluck()
      .get() as number
  }

  /** Fills the trie from the table. */
  load(): void {
    for (const row of this.#all.all()) this.#trie.add(row.client_id, fromRow(row))
  }

  // Each write changes the table first and the trie after, so a failed
  // statement leaves the trie as it was.

  add(clientId: string, subs: StoredSubscription[]): void {
    if (subs.length === 0) return
    const isNewClient = !this.#hasAny.get(clientId)
    const unmatched: string[] = []
    this.#db.transaction(() => {
      for (const sub of subs) {
        if (sub.qos === 0 && (this.#qosOf.get(clientId, sub.topic) ?? 0) > 0) {
          unmatched.push(sub.topic)
        }
        this.#upsert.run(
          clientId,
          sub.topic,
          sub.qos,
          sub.rh ?? null,
          flag(sub.rap),
          flag(sub.nl),
          sub.subscriptionIdentifier ?? null,
        )
      }
    })()
    if (isNewClient) this.#clientsCount++
    // In order: the last of several subscriptions to one topic wins.
    for (const sub of subs) {
      if (sub.qos > 0) this.#trie.add(clientId, sub)
      else if (unmatched.includes(sub.topic)) this.#trie.remove(clientId, sub.topic)
    }
  }

  remove(clientId: string, topics: string[]): void {
    const removed: { topic: string; qos: number }[] = []
    this.#db.transaction(() => {
      for (const topic of topics) {
        const qos = this.#qosOf.get(clientId, topic)
        if (qos === undefined) continue
        this.#delete.run(clientId, topic)
        removed.push({ topic, qos })
      }
    })()
    if (removed.length === 0) return
    for (const { topic, qos } of removed) {
      if (qos > 0) this.#trie.remove(clientId, topic)
    }
    if (!this.#hasAny.get(clientId)) this.#clientsCount--
  }

  /** Drops every subscription of the client, table and trie. */
  clean(clientId: string): void {
    const subs = this.#byClient.all(clientId)
    if (subs.length === 0) return
    this.#deleteClient.run(clientId)
    for (const sub of subs) {
      if (sub.qos > 0) this.#trie.remove(clientId, sub.topic)
    }
    this.#clientsCount--
  }

  byClient(clientId: string): StoredSubscription[] {
    return this.#byClient.all(clientId).map(fromRow)
  }

  byTopic(topic: string): TopicSubscription[] {
    return this.#trie.match(topic)
  }

  count(): { subsCount: number; clientsCount: number } {
    return { subsCount: this.#trie.count, clientsCount: this.#clientsCount }
  }

  clientsWithFilter(topic: string): string[] {
    return this.#clientsByTopic.all(topic)
  }
}

function flag(value: boolean | undefined): number | null {
  return value === undefined ? null : value ? 1 : 0
}

function fromRow(row: SubscriptionRow): StoredSubscription {
  const sub: StoredSubscription = {
    topic: row.topic,
    qos: toQoS(row.qos),
    rh: row.rh ?? undefined,
    rap: row.rap === null ? undefined : row.rap === 1,
    nl: row.nl === null ? undefined : row.nl === 1,
  }
  if (row.subscription_id !== null) sub.subscriptionIdentifier = row.subscription_id
  return sub
}
