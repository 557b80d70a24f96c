import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Database } from 'better-sqlite3'
import type { SyncMode } from './open.ts'

/** How often the thread looks for committed WAL frames to copy into the database file. */
export const CHECKPOINT_INTERVAL_MS = 100
/**
 * SQLite's own checkpoint threshold (pages), restored on the store's connection when the thread
 * stops; while the thread runs, the connection checkpoints only past {@link SAFETY_NET_PAGES}.
 */
const SQLITE_DEFAULT_PAGES = 1000
/** ~40 MB of WAL: the store's connection checkpoints by itself only if the thread falls this far behind. */
const SAFETY_NET_PAGES = 10_000

/** What one checkpoint did, as `PRAGMA wal_checkpoint` reports it. */
export interface CheckpointResult {
  /** 1 if the checkpoint could not run to the end (a reader or writer was in the way). */
  busy: number
  /** Frames in the WAL. */
  log: number
  /** Frames of it now copied into the database file. */
  checkpointed: number
}

export interface CheckpointerEvents {
  checkpoint: [CheckpointResult]
  /**
   * The thread is gone, with why (null once `close` stopped it); the store's connection
   * checkpoints by itself again.
   */
  stopped: [Error | null]
}

// Plain CommonJS, run with `eval`: the thread needs better-sqlite3 only, not the TypeScript loader.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file, { fileMustExist: true })
db.pragma('synchronous = ' + workerData.synchronous)
// nothing waits: a checkpoint that cannot get its lock now runs next time
db.pragma('busy_timeout = 0')
// reported when it changed: an idle WAL stays fully copied, and says nothing
let last = { log: 0, checkpointed: 0 }
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)')
  if (result.log === last.log && result.checkpointed === last.checkpointed) return
  last = result
  parentPort.postMessage({ checkpoint: result })
}, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message !== 'close') return
  clearInterval(timer)
  db.close()
  parentPort.postMessage({ closed: true })
})
`

/**
 * Copies the WAL into the database file from a thread of its own, on its own connection, so the
 * copy and its fsync never stall the event loop: there they put a few milliseconds on one commit
 * in every thousand pages, and so on a PUBACK or a delivery (p99 publish-to-deliver latency at
 * 2,000 msg/s: 4.0–8.3 ms with them on the loop, 2.7–3.6 ms without; `bench/RESULTS.md`). The
 * store's connection keeps a high threshold of its own as a safety net, and goes back to SQLite's
 * default if the thread ends.
 *
 * Durability is the same: a commit is in the WAL before anything is acknowledged, and a
 * checkpoint only copies committed pages (`PASSIVE` waits for no one and blocks no one).
 */
export class Checkpointer extends EventEmitter<CheckpointerEvents> {
  readonly #db: Database
  readonly #worker: Worker
  #running = true
  #closing: Promise<void> | null = null

  constructor(db: Database, file: string, sync: SyncMode, intervalMs = CHECKPOINT_INTERVAL_MS) {
    super()
    this.#db = db
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`)
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(THREAD, {
      eval: true,
      workerData: { driver, file, synchronous: sync === 'full' ? 'FULL' : 'NORMAL', intervalMs },
    })
    // a broker with nothing else to do may exit: the last connection's close checkpoints anyway
    this.#worker.unref()
    this.#worker.on('message', (message: { checkpoint?: CheckpointResult }) => {
      if (message.checkpoint) this.emit('checkpoint', message.checkpoint)
    })
    this.#worker.on('error', (err) => this.#stopped(err))
    this.#worker.on('exit', (code) => {
      this.#stopped(this.#closing ? null : new Error(`the checkpoint thread exited (code ${code})`))
    })
  }

  /** Whether the thread is still checkpointing. */
  get running(): boolean {
    return this.#running
  }

  /**
   * Closes the thread's connection and ends the thread; call before closing the store's
   * connection, so that the store's is the last and its close leaves no WAL file.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    if (!this.#running) return
    const closed = new Promise<void>((resolve) => {
      this.#worker.on('message', (message: { closed?: boolean }) => {
        if (message.closed) resolve()
      })
      this.#worker.once('exit', () => resolve())
    })
    this.#worker.postMessage('close')
    await closed
    await this.#worker.terminate()
  }

  #stopped(err: Error | null): void {
    if (!this.#running) return
    this.#running = false
    // the WAL must not grow without bound because the thread is gone
    if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`)
    this.emit('stopped', err)
  }
}
