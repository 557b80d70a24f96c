// qlobber ships no types; these cover what the stores use of it.

declare module 'qlobber' {
  export interface QlobberOptions {
    separator?: string
    wildcard_one?: string
    wildcard_some?: string
    /** `wildcard_one` also matches an empty level. */
    match_empty_levels?: boolean
  }

  /** A trie that only answers whether a topic matches any added pattern. */
  export class QlobberTrue {
    constructor(options?: QlobberOptions)
    add(topic: string): this
    test(topic: string): boolean
  }
}

declare module 'qlobber/aedes/qlobber-sub.js' {
  import type { QlobberOptions } from 'qlobber'

  export interface QlobberSubValue {
    clientId: string
    topic: string
    qos: number
    rh?: number | undefined
    rap?: boolean | undefined
    nl?: boolean | undefined
  }

  /** The subscription trie aedes' stores use: one entry per (filter, clientId). */
  export default class QlobberSub {
    constructor(options?: QlobberOptions)
    readonly subscriptionsCount: number
    add(topic: string, value: QlobberSubValue): this
    remove(topic: string, value: { clientId: string; topic: string }): this
    match(topic: string): QlobberSubValue[]
    clear(): this
  }
}
