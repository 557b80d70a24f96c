// Runs aedes' own store contract suite (aedes-persistence/abstract.js, on
// node:test) against one of our stores:
//
//   SESSIONLAB_STORE=sqlite node --import tsx --test test/store/abstract-runner.ts
//   SESSIONLAB_STORE=redis SESSIONLAB_REDIS_URL=redis://127.0.0.1:6379 node --import tsx --test …
//
// The redis store gives each instance its own key prefix.
// `aedes-abstract-suite.test.ts` spawns this once per store.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createMemoryStore } from '../../broker/store/memory/index.ts'
import { openRedisStore } from '../../broker/store/redis/index.ts'
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
async function newStore(): Promise<SessionStore> {
  if (kind === 'memory') return createMemoryStore()
  if (kind === 'sqlite') return openSqliteStore({ file: join(dir, `store-${++instances}.db`) })
  if (kind === 'redis') {
    const url = process.env.SESSIONLAB_REDIS_URL
    if (!url) throw new Error('SESSIONLAB_STORE=redis needs SESSIONLAB_REDIS_URL')
    return openRedisStore({ url, keyPrefix: `abstract-${process.pid}-${++instances}:` })
  }
  throw new Error(`SESSIONLAB_STORE must be memory, sqlite or redis, not ${kind}`)
}

abstractSuite({ test, persistence: newStore, testAsync: true })
