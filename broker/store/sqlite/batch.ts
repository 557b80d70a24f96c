import type { Database, Statement } from 'better-sqlite3'
import { SessionLabError } from '../../errors.ts'

// How long write-behind writes may wait for a commit when nothing durable does.
const WRITE_BEHIND_MS = 5

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
}

/** What the store does at the ends of a transaction, beside the batch's own work. */
export interface BatchHooks {
  /** Writes held back until the commit (acknowledged rows), run in the transaction. */
  beforeCommit?: () => void
  /** The transaction was rolled back: memory that took in its writes reads them again. */
  afterRollback?: () => void
}

/**
 * Groups the writes of one event-loop tick into one transaction, and
 * acknowledges none of them before it commits (a PUBACK must mean the message
 * is stored).
 *
 * The first write of a tick opens `BEGIN IMMEDIATE`; every write runs at once,
 * so reads on the connection see it; a `setImmediate` then COMMITs and settles
 * the promises of the whole batch: all resolve, or, if the commit fails, the
 * batch is rolled back and all reject. A transaction holding only
 * write-behind writes stays open for up to a few milliseconds, so a resume
 * drain commits once per many messages rather than once per message.
 */
export class WriteBatch {
  readonly #db: Database
  readonly #begin: Statement
  readonly #commit: Statement
  readonly #rollback: Statement
  /** The promises of the open transaction; null when none is open. */
  #waiters: Waiter[] | null = null
  #commitScheduled = false
  #lazyTimer: NodeJS.Timeout | null = null
  #closed = false
  readonly #beforeCommit: () => void
  readonly #afterRollback: () => void

  constructor(db: Database, hooks: BatchHooks = {}) {
    this.#db = db
    this.#beforeCommit = hooks.beforeCommit ?? (() => {})
    this.#afterRollback = hooks.afterRollback ?? (() => {})
    this.#begin = db.prepare('BEGIN IMMEDIATE')
    this.#commit = db.prepare('COMMIT')
    this.#rollback = db.prepare('ROLLBACK')
  }

  /**
   * Runs `work` (synchronous SQL) in the current transaction and resolves
   * with its result once that transaction has committed. If `work` throws,
   * only its own promise rejects, unless SQLite gave up the whole
   * transaction, in which case the batch rejects with it.
   */
  run<T>(work: () => T): Promise<T> {
    let waiters: Waiter[]
    let value: T
    try {
      waiters = this.#open()
      value = work()
      this.#scheduleCommit(waiters)
    } catch (err) {
      if (this.#waiters !== null && !this.#db.inTransaction) this.#fail(err)
      return Promise.reject(err)
    }
    return new Promise<T>((resolve, reject) => {
      waiters.push({ resolve: () => resolve(value), reject })
    })
  }

  /**
   * Runs `work` in the current transaction like {@link run}, but resolves at
   * once: the write commits with this tick's batch, and nothing waits for it.
   * Only for writes whose loss in a crash the protocol already tolerates (a
   * redelivery), never for one that an acknowledgement depends on.
   */
  runWriteBehind<T>(work: () => T): Promise<T> {
    try {
      const waiters = this.#open()
      const value = work()
      this.#scheduleLazyCommit(waiters)
      return Promise.resolve(value)
    } catch (err) {
      if (this.#waiters !== null && !this.#db.inTransaction) this.#fail(err)
      return Promise.reject(err)
    }
  }

  /** Resolves once every write issued so far is committed. */
  flush(): Promise<void> {
    const waiters = this.#waiters
    if (waiters === null) return Promise.resolve()
    this.#scheduleCommit(waiters)
    return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }))
  }

  /**
   * The open transaction, as a token that changes with every transaction;
   * null when none is open. A write made under the current token has not
   * committed yet.
   */
  get pending(): object | null {
    return this.#waiters
  }

  /** Throws STORE_CLOSED once `close` was called. */
  assertOpen(): void {
    if (this.#closed) throw new SessionLabError('STORE_CLOSED', 'the store is closed')
  }

  /** Commits what is pending, then refuses further writes. */
  close(): void {
    this.commit()
    this.#closed = true
  }

  /** Commits the open transaction now, if any, and settles its promises. */
  commit(): void {
    const waiters = this.#waiters
    if (waiters === null) return
    this.#waiters = null
    if (this.#lazyTimer !== null) {
      clearTimeout(this.#lazyTimer)
      this.#lazyTimer = null
    }
    try {
      this.#beforeCommit()
      this.#commit.run()
    } catch (err) {
      if (this.#db.inTransaction) this.#rollback.run()
      this.#afterRollback()
      for (const waiter of waiters) waiter.reject(err)
      return
    }
    for (const waiter of waiters) waiter.resolve()
  }

  #open(): Waiter[] {
    if (this.#waiters !== null) return this.#waiters
    this.assertOpen()
    this.#begin.run()
    const waiters: Waiter[] = []
    this.#waiters = waiters
    this.#commitScheduled = false
    return waiters
  }

  /** A durable write commits at the end of this tick. */
  #scheduleCommit(waiters: Waiter[]): void {
    if (this.#commitScheduled) return
    this.#commitScheduled = true
    setImmediate(() => {
      // A later batch may be open by now if this one was committed early.
      if (this.#waiters === waiters) this.commit()
    })
  }

  /** Write-behind alone lets the transaction gather a few ticks' writes. */
  #scheduleLazyCommit(waiters: Waiter[]): void {
    if (this.#lazyTimer !== null) return
    this.#lazyTimer = setTimeout(() => {
      this.#lazyTimer = null
      if (this.#waiters === waiters) this.commit()
    }, WRITE_BEHIND_MS)
  }

  #fail(err: unknown): void {
    const waiters = this.#waiters ?? []
    this.#waiters = null
    this.#afterRollback()
    for (const waiter of waiters) waiter.reject(err)
  }
}
