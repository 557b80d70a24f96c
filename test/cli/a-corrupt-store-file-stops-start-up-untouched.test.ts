import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { runCli, sqliteArgs } from '../helpers/child-broker.ts'
import { writeRealStore } from './real-store.ts'

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** Ways a file named like the store can be something else. */
const corruptions: Record<string, (file: string, dataDir: string) => Promise<void>> = {
  'random bytes': async (file) => {
    writeFileSync(file, randomBytes(16 * 1024))
  },
  'a real store with a page overwritten': async (file, dataDir) => {
    await writeRealStore(dataDir)
    const bytes = readFileSync(file)
    const pageSize = bytes.readUInt16BE(16)
    expect(bytes.length).toBeGreaterThan(2 * pageSize)
    // page 2 onwards: the header (page 1) still says "SQLite format 3"
    randomBytes(pageSize).copy(bytes, pageSize)
    writeFileSync(file, bytes)
  },
  'a SQLite file of some other program': async (file) => {
    const db = new Database(file)
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)')
    db.prepare('INSERT INTO photos (path) VALUES (?)').run('/home/me/cat.jpg')
    db.close()
  },
}

it.each(Object.keys(corruptions))(
  'exits 2 with STORE_CORRUPT naming the file when it holds %s, and leaves it as it was',
  async (kind) => {
    const dataDir = tempDir()
    const file = join(dataDir, 'sessionlab.db')
    await corruptions[kind](file, dataDir)
    const before = sha256(file)
    const filesBefore = readdirSync(dataDir).sort()

    const result = await runCli(sqliteArgs(dataDir))

    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(file)
    expect(result.stderr).toMatch(/\[STORE_CORRUPT\]\n$/)
    expect(sha256(file)).toBe(before)
    expect(readdirSync(dataDir).sort()).toEqual(filesBefore)
  },
)
