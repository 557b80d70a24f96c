import { randomBytes } from 'node:crypto'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isSessionLabError } from '../../broker/errors.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { enqueueMany } from './contract-helpers.ts'
import { makeTempDir } from './temp-dir.ts'

const PAGE_SIZE = 4096

let dir: ReturnType<typeof makeTempDir>
let file: string

beforeEach(() => {
  dir = makeTempDir()
  file = join(dir.path, 'sessions.db')
})
afterEach(() => dir.remove())

/** A real store file of many pages, closed cleanly (no WAL left beside it). */
async function writeStoreFile(): Promise<Buffer> {
  const store = openSqliteStore({ file })
  await store.addSubscriptions({ id: 'alice' }, [{ topic: 'sensors/#', qos: 1 }])
  await enqueueMany(store, 'alice', 1, 2000)
  await store.destroy()
  return readFileSync(file)
}

/** Opening must fail with STORE_CORRUPT naming the file, and change no byte of it. */
function expectRefusedAsCorrupt(): void {
  const bytes = readFileSync(file)
  let error: unknown
  try {
    openSqliteStore({ file })
  } catch (err) {
    error = err
  }
  expect(isSessionLabError(error) && error.code, String(error)).toBe('STORE_CORRUPT')
  expect((error as Error).message).toContain(file)
  expect(readFileSync(file).equals(bytes)).toBe(true)
}

describe('the sqlite store refuses a corrupt file and leaves it as it was', () => {
  it('when the file is not a database at all', () => {
    writeFileSync(file, randomBytes(3 * PAGE_SIZE))
    expectRefusedAsCorrupt()
  })

  it('when the header is intact but the pages after it are garbage', async () => {
    const original = await writeStoreFile()
    expect(original.length).toBeGreaterThan(10 * PAGE_SIZE)
    const garbled = Buffer.concat([
      original.subarray(0, PAGE_SIZE),
      randomBytes(original.length - PAGE_SIZE),
    ])
    writeFileSync(file, garbled)
    expectRefusedAsCorrupt()
  })

  it('when the file was cut short', async () => {
    const original = await writeStoreFile()
    truncateSync(file, Math.floor(original.length / PAGE_SIZE / 2) * PAGE_SIZE)
    expectRefusedAsCorrupt()
  })

  it('when it is some other SQLite database', async () => {
    const Database = (await import('better-sqlite3')).default
    const other = new Database(file)
    other.exec('CREATE TABLE notes (body TEXT)')
    other.close()
    expectRefusedAsCorrupt()
  })
})
