import { describe, expect, it } from 'vitest'
import { median, percentileSorted } from './stats.ts'

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})

describe('percentileSorted', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1)

  it('takes the nearest rank: the smallest value with p% of samples at or below it', () => {
    expect(percentileSorted(hundred, 50)).toBe(50)
    expect(percentileSorted(hundred, 99)).toBe(99)
    expect(percentileSorted(hundred, 100)).toBe(100)
    expect(percentileSorted([1, 2, 3], 50)).toBe(2)
  })

  it('gives the single sample for any p, and NaN for none', () => {
    expect(percentileSorted([7], 0)).toBe(7)
    expect(percentileSorted([7], 99)).toBe(7)
    expect(percentileSorted([], 50)).toBeNaN()
  })
})
