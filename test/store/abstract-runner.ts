// Runs aedes' own store contract suite (aedes-persistence/abstract.js, on
// node:test) against one of our stores:
//
//   SESSIONLAB_STORE=sqlite node --import tsx --test test/store/abstract-runner.ts
//
// `aedes-abstract-suite.test.ts` spawns this once per store.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createMemoryStore } from '../../broker/store/memory.ts'
import { openSqliteStore } from '../../broker/store/sqlite/index.ts'
import type { SessionStore } from '../../broker/store/types.ts'

type AbstractSuite = (opts: {
  test: typeof test
  persistence: () => Promise<SessionStore>
  testAsync: boolean
}) => void

const require = createRequire(import.meta.url)
const abstractSuite = require('aedes-persistence/abstract.js') as AbstractSuite

const kind = process.env.SESSIONLAB_STORE
const dir = mkdtempSync(join(tmpdir(), 'sessionlab-abstract-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let instances = 0
function newStore(): SessionStore {
  if (kind === 'memory') return createMemoryStore()
  if (kind === 'sqlite') return openSqliteStore({ file: join(dir, `store-${++instances}.db`) })
  throw new Error(`SESSIONLAB_STORE must be memory or sqlite, not ${kind}`)
}

abstractSuite({ test, persistence: async () => newStore(), testAsync: true })
