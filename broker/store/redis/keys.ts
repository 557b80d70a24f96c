/**
 * The Redis keys of a store, all under one prefix (default `sl:`) so that
 * several stores, or test runs, can share a redis-server. A ClientID is
 * always the last part of a key, so it may contain any character.
 */
export class RedisKeys {
  readonly prefix: string

  constructor(prefix: string) {
    this.prefix = prefix
  }

  /** The on-store format version (see connect.ts). */
  get version(): string {
    return `${this.prefix}version`
  }

  /** The sequence that orders queue entries and first subscriptions. */
  get seq(): string {
    return `${this.prefix}seq`
  }

  get retained(): string {
    return `${this.prefix}retained`
  }

  /** ZSET of clients with subscriptions, scored by their first one. */
  get subClients(): string {
    return `${this.prefix}subclients`
  }

  /** ZSET of persistent sessions, all scored 0: ZRANGEBYLEX gives UTF-8 byte order. */
  get sessions(): string {
    return `${this.prefix}sessions`
  }

  /** ZSET of disconnected sessions by disconnectedAt. */
  get idle(): string {
    return `${this.prefix}idle`
  }

  /** ZSET of disconnected MQTT 5 sessions by when their Session Expiry Interval ends. */
  get ending(): string {
    return `${this.prefix}ending`
  }

  /** HASH ClientID -> encoded Will. */
  get wills(): string {
    return `${this.prefix}wills`
  }

  /** HASH ClientID -> brokerId stamped on its Will ('' for none). */
  get willBrokers(): string {
    return `${this.prefix}willbroker`
  }

  /** HASH viewer id -> the dashboard's persistent view (see dashboard-views.ts). */
  get dashboardViews(): string {
    return `${this.prefix}dashviews`
  }

  /** The client's queue entries, in order (see lua-outgoing.ts for the three keys). */
  queue(clientId: string): string {
    return `${this.prefix}q:${clientId}`
  }

  unsent(clientId: string): string {
    return `${this.prefix}u:${clientId}`
  }

  entries(clientId: string): string {
    return `${this.prefix}h:${clientId}`
  }

  /** The three keys of a client's queue: q, u, h. */
  outgoing(clientId: string): [string, string, string] {
    return [this.queue(clientId), this.unsent(clientId), this.entries(clientId)]
  }

  /** HASH messageId -> incoming QoS 2 PUBLISH. */
  incoming(clientId: string): string {
    return `${this.prefix}in:${clientId}`
  }

  /** HASH topic -> subscription record. */
  subscriptions(clientId: string): string {
    return `${this.prefix}subs:${clientId}`
  }

  /** HASH: the session record. */
  session(clientId: string): string {
    return `${this.prefix}s:${clientId}`
  }
}
