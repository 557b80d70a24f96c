/**
 * The worker side of `workerDepth`: the store's table code (`queuesDepth`) on its own thread,
 * taking one message per commit and answering each once it committed.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { StoredPacket } from '../../broker/store/types.ts'
import { queuesDepth } from './depths.ts'
import type { Request } from './worker-depth.ts'

const port = parentPort
if (!port) throw new Error('worker-thread.ts runs as a worker thread')
const depth = queuesDepth(workerData.file as string, workerData.otherRows as number)
let pages: AsyncIterator<StoredPacket[]> | null = null

port.on('message', async (request: Request) => {
  switch (request.kind) {
    case 'commit':
      depth.commit(() => {
        for (const [op, packet] of request.ops) {
          if (op === 'queue') depth.queue(packet)
          else if (op === 'number') depth.number(packet)
          else depth.acknowledge(packet)
        }
      })
      port.postMessage({ id: request.id })
      break
    case 'page': {
      pages ??= depth.pages()[Symbol.asyncIterator]()
      const next = await pages.next()
      if (next.done) pages = null
      port.postMessage({ id: request.id, page: next.done ? null : next.value })
      break
    }
    case 'isEmpty':
      port.postMessage({ id: request.id, empty: depth.isEmpty() })
      break
    case 'close':
      await depth.close()
      port.postMessage({ id: request.id })
      break
  }
})
port.postMessage({ id: -1 })
