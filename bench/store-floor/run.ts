import { join } from 'node:path'
import { makeTempDir, removeTempDir } from '../children.ts'
import { type Depth, OTHER_ROWS, queuesDepth, rowsDepth, storeDepth } from './depths.ts'
import { drain, live, type Timing } from './sequences.ts'
import { workerDepth } from './worker-depth.ts'

/** Each depth of the store, by name, opened on a fresh file. */
export const DEPTHS: Record<string, (file: string, otherRows?: number) => Depth | Promise<Depth>> =
  {
    store: storeDepth,
    queues: queuesDepth,
    worker: workerDepth,
    rows: rowsDepth,
  }
export const SEQUENCES = { drain, live }
export type SequenceName = keyof typeof SEQUENCES

/**
 * One run of a sequence at a depth, on a fresh file in a temp dir removed afterwards (or when the
 * script is interrupted: bench/children.ts). Throws if the client's queue is not empty at the
 * end: every message must have been acknowledged.
 */
export async function runOnce(
  depthName: string,
  sequence: SequenceName,
  messages: number,
  otherRows = OTHER_ROWS,
): Promise<Timing> {
  const open = DEPTHS[depthName]
  if (!open) throw new Error(`unknown depth ${depthName}`)
  const dir = makeTempDir('store-floor')
  try {
    const depth = await open(join(dir, 'floor.db'), otherRows)
    try {
      const timing = await SEQUENCES[sequence](depth, messages)
      if (!(await depth.isEmpty())) {
        throw new Error(`${depthName}-${sequence}: the client's queue is not empty at the end`)
      }
      return timing
    } finally {
      await depth.close()
    }
  } finally {
    removeTempDir(dir)
  }
}
