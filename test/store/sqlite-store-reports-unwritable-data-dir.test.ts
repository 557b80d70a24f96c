import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { isSessionLabError } from '../../broker/errors.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import { makeTempDir } from './temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>

beforeEach(() => {
  dir = makeTempDir()
})
afterEach(() => dir.remove())

function openError(file: string): unknown {
  try {
    openSqliteStore({ file })
  } catch (err) {
    return err
  }
  return undefined
}

// Tests run as root, for whom permission bits do not stop a write: a regular
// file standing where a directory must be stops everyone.
it('reports DATA_DIR_UNWRITABLE when the data directory cannot be created', () => {
  const blocker = join(dir.path, 'not-a-directory')
  writeFileSync(blocker, 'just a file')
  const error = openError(join(blocker, 'data', 'sessions.db'))

  expect(isSessionLabError(error) && error.code).toBe('DATA_DIR_UNWRITABLE')
  expect((error as Error).message).toContain(join(blocker, 'data'))
})

it('creates a missing data directory', async () => {
  const store = openSqliteStore({ file: join(dir.path, 'data', 'nested', 'sessions.db') })
  expect(await store.openSession('alice')).toBe(false)
  await store.destroy()
})
