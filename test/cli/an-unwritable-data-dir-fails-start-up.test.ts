import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { runCli, sqliteArgs } from '../helpers/child-broker.ts'

// As root, chmod does not stop writes; a path through a regular file stops everyone.
it('exits 2 with DATA_DIR_UNWRITABLE naming the directory when its parent is a file', async () => {
  const file = join(tempDir(), 'not-a-directory')
  writeFileSync(file, 'just a file\n')
  const dataDir = join(file, 'data')
  const result = await runCli(sqliteArgs(dataDir))
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toContain(dataDir)
  expect(result.stderr).toMatch(/\[DATA_DIR_UNWRITABLE\]\n$/)
})

it('exits 2 with DATA_DIR_UNWRITABLE when the data dir itself is a file', async () => {
  const dataDir = join(tempDir(), 'data')
  writeFileSync(dataDir, 'just a file\n')
  const result = await runCli(sqliteArgs(dataDir))
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(dataDir)
  expect(result.stderr).toMatch(/\[DATA_DIR_UNWRITABLE\]\n$/)
})
