import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { errorMessage } from '../../coded-error.ts'
import { SessionLabError } from '../../errors.ts'
import { createSchema, migrateSchema, readSchemaVersion, SCHEMA_VERSION } from './schema.ts'

export type SyncMode = 'normal' | 'full'

/**
 * Opens (or creates) a store file, ready for the store to prepare its
 * statements. Nothing is written to an existing file until it has passed
 * `PRAGMA quick_check` and its schema version is known to be ours, so a
 * corrupt or newer file is refused as it was found. An older version is
 * migrated in place, in one transaction.
 *
 * @throws SessionLabError DATA_DIR_UNWRITABLE, STORE_CORRUPT or STORE_NEWER_SCHEMA
 */
export function openDatabase(
  file: string,
  sync: SyncMode,
  now: () => number = Date.now,
): Database.Database {
  ensureDirectory(dirname(file))
  let db: Database.Database
  try {
    db = new Database(file)
  } catch (err) {
    throw classify(err, file)
  }
  try {
    checkIntegrity(db, file)
    const version = readSchemaVersion(db)
    if (version === undefined) {
      throw new SessionLabError(
        'STORE_CORRUPT',
        `${file} is a SQLite file but not a SessionLab store (no schema version)`,
      )
    }
    if (version > SCHEMA_VERSION) {
      throw new SessionLabError(
        'STORE_NEWER_SCHEMA',
        `${file} has schema version ${version}, newer than the ${SCHEMA_VERSION} this SessionLab reads; ` +
          'upgrade SessionLab or use another data directory',
      )
    }
    // WAL: readers do not block the writer, and one fsync-free commit per
    // tick survives a kill -9 of the process with synchronous=NORMAL. FULL
    // also survives a power cut, at an fsync per commit.
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`)
    db.pragma('busy_timeout = 5000')
    if (version === 0) createSchema(db)
    else if (version < SCHEMA_VERSION) migrateSchema(db, version, now())
    return db
  } catch (err) {
    db.close()
    throw classify(err, file)
  }
}

/** Creates the data directory if needed; DATA_DIR_UNWRITABLE when it cannot. */
export function ensureDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
    if (!statSync(dir).isDirectory()) throw new Error('not a directory')
  } catch (err) {
    throw new SessionLabError(
      'DATA_DIR_UNWRITABLE',
      `cannot create or use ${dir}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    )
  }
}

function checkIntegrity(db: Database.Database, file: string): void {
  const rows = db.pragma('quick_check(3)') as { quick_check: string }[]
  const problems = rows
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== 'ok')
  if (problems.length > 0) {
    throw new SessionLabError(
      'STORE_CORRUPT',
      `${file} failed its integrity check: ${problems.slice(0, 4).join('; ')}`,
    )
  }
}

/** Maps what SQLite and the file system report to our error codes. */
function classify(err: unknown, file: string): unknown {
  if (err instanceof SessionLabError) return err
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return err
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new SessionLabError('STORE_CORRUPT', `${file} is corrupt: ${errorMessage(err)}`, {
      cause: err,
    })
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new SessionLabError(
      'DATA_DIR_UNWRITABLE',
      `cannot write ${file} in ${dirname(file)}: ${errorMessage(err)}`,
      { cause: err },
    )
  }
  return err
}
