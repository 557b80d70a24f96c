import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { SessionLabError } from '../../errors.ts'

/** A held claim on a store file; `release` lets another broker open it. */
export interface StoreLock {
  release(): void
}

/**
 * Claims `<file>.lock` for this process, so two brokers never share one store:
 * the second would take the first one's live Wills for a crashed run's and
 * publish them. The claim is an exclusive SQLite lock on a small side file,
 * held until released, which the operating system drops when the process
 * dies, so a broker killed with -9 never leaves a stale claim behind.
 *
 * @throws SessionLabError STORE_IN_USE when another process holds it
 */
export function lockStore(file: string): StoreLock {
  const lockFile = `${file}.lock`
  const db = new Database(lockFile, { timeout: 0 })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)')
    db.exec('BEGIN EXCLUSIVE')
    db.prepare('DELETE FROM holder').run()
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid)
    db.exec('COMMIT')
  } catch (err) {
    db.close()
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new SessionLabError(
        'STORE_IN_USE',
        `${file} is in use by another running SessionLab (it holds ${lockFile}); ` +
          'stop it or choose another --data-dir',
        { cause: err },
      )
    }
    throw err
  }
  return {
    release: () => {
      db.close()
      // a store that failed to open leaves its directory as it found it
      rmSync(lockFile, { force: true })
    },
  }
}
