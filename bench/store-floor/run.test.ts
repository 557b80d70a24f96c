import { describe, expect, it } from 'vitest'
import { DEPTHS, runOnce } from './run.ts'

// Small counts: these check that every depth still does the whole sequence, not its speed.
const MESSAGES = 700
const OTHER_ROWS = 2_000

describe('store-floor', () => {
  for (const depth of Object.keys(DEPTHS)) {
    it(`${depth}: drains a queue page by page down to empty`, async () => {
      const timing = await runOnce(depth, 'drain', MESSAGES, OTHER_ROWS)
      expect(timing.wall).toBeGreaterThan(0)
      expect(timing.main).toBeGreaterThan(0)
    })

    it(`${depth}: queues, numbers and acknowledges every live message`, async () => {
      const timing = await runOnce(depth, 'live', MESSAGES, OTHER_ROWS)
      expect(timing.wall).toBeGreaterThan(0)
      expect(timing.main).toBeGreaterThan(0)
    })
  }

  it('refuses a depth it does not know', async () => {
    await expect(runOnce('disk', 'drain', 1, 0)).rejects.toThrow('unknown depth disk')
  })
})
