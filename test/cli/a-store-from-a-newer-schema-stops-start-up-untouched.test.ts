import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../broker/store/sqlite/schema.ts'
import { tempDir } from '../helpers/broker.ts'
import { runCli, sqliteArgs } from '../helpers/child-broker.ts'
import { writeRealStore } from './real-store.ts'

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

it('exits 2 with STORE_NEWER_SCHEMA naming the file, and leaves the file as it was', async () => {
  const dataDir = tempDir()
  const file = join(dataDir, 'sessionlab.db')
  // A real store, as this version writes it, then stamped by a "newer" SessionLab.
  await writeRealStore(dataDir)
  const db = new Database(file)
  const newer = SCHEMA_VERSION + 1
  db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(newer))
  db.close()
  const before = sha256(file)
  const filesBefore = readdirSync(dataDir).sort()

  const result = await runCli(sqliteArgs(dataDir))

  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toContain(file)
  expect(result.stderr).toContain(String(newer))
  expect(result.stderr).toMatch(/\[STORE_NEWER_SCHEMA\]\n$/)
  expect(sha256(file)).toBe(before)
  expect(readdirSync(dataDir).sort()).toEqual(filesBefore)
})
