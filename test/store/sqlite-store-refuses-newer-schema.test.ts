import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { isSessionLabError } from '../../broker/errors.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import { makeTempDir } from './temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let file: string

beforeEach(() => {
  dir = makeTempDir()
  file = join(dir.path, 'sessions.db')
})
afterEach(() => dir.remove())

it('refuses a file written by a newer SessionLab, and leaves it as it was', async () => {
  const store = openSqliteStore({ file })
  await store.openSession('alice')
  await store.destroy()
  const newer = SCHEMA_VERSION + 1
  const other = new Database(file)
  other.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(newer))
  other.close()
  const bytes = readFileSync(file)

  let error: unknown
  try {
    openSqliteStore({ file })
  } catch (err) {
    error = err
  }

  expect(isSessionLabError(error) && error.code).toBe('STORE_NEWER_SCHEMA')
  const { message } = error as Error
  expect(message).toContain(file)
  expect(message).toContain(`schema version ${newer}`)
  expect(message).toContain(`${SCHEMA_VERSION}`)
  expect(readFileSync(file).equals(bytes)).toBe(true)
})
