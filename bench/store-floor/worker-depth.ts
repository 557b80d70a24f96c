import { Worker } from 'node:worker_threads'
import type { StoredPacket } from '../../broker/store/types.ts'
import { type Depth, OTHER_ROWS } from './depths.ts'

type Op = ['queue' | 'number' | 'acknowledge', StoredPacket]

type Ask =
  | { kind: 'commit'; ops: Op[] }
  | { kind: 'page' }
  | { kind: 'isEmpty' }
  | { kind: 'close' }

/** What the main thread asks of the worker thread, numbered for the answer. */
export type Request = Ask & { id: number }

interface Reply {
  id: number
  page?: StoredPacket[] | null
  empty?: boolean
}

// A worker's entry point must be JavaScript: it registers tsx, then loads the TypeScript.
const ENTRY = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./worker-thread.ts', import.meta.url).href,
)}) })`

/**
 * The store's SQL (`queuesDepth`) on a worker thread: each commit's writes go over as one
 * message (the packets structured-cloned, as a real worker store would send them) and the
 * commit settles when the worker answers. What the main thread spends is what such a store
 * would leave on the broker's event loop.
 */
export async function workerDepth(file: string, otherRows = OTHER_ROWS): Promise<Depth> {
  const worker = new Worker(ENTRY, { eval: true, workerData: { file, otherRows } })
  const waiting = new Map<number, (reply: Reply) => void>()
  let failed: unknown = null
  worker.on('message', (reply: Reply) => {
    const settle = waiting.get(reply.id)
    waiting.delete(reply.id)
    settle?.(reply)
  })
  worker.on('error', (err) => {
    failed = err
    for (const settle of waiting.values()) settle({ id: -2 })
  })
  let nextId = 0
  const ask = (request: Ask): Promise<Reply> =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed)
      const id = nextId++
      waiting.set(id, (reply) => (reply.id === -2 ? reject(failed) : resolve(reply)))
      worker.postMessage({ ...request, id })
    })
  await new Promise<void>((resolve, reject) => {
    waiting.set(-1, () => resolve())
    worker.once('error', reject)
  })
  let ops: Op[] = []
  return {
    async commit(work) {
      work()
      const batch = ops
      ops = []
      await ask({ kind: 'commit', ops: batch })
    },
    queue: (packet) => ops.push(['queue', packet]),
    number: (numbered) => ops.push(['number', numbered]),
    acknowledge: (numbered) => ops.push(['acknowledge', numbered]),
    async *pages() {
      for (;;) {
        const { page } = await ask({ kind: 'page' })
        if (!page) return
        yield page
      }
    },
    isEmpty: async () => (await ask({ kind: 'isEmpty' })).empty === true,
    async close() {
      await ask({ kind: 'close' })
      await worker.terminate()
    },
  }
}
