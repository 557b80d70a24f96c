/**
 * The known name closest to a mistyped one, for "did you mean" hints; null
 * when none is close enough to be a likely typo. Close: at most one edit per
 * three characters of the name, and three at most (case aside), so
 * `mqtt-prot` finds `mqtt-port`, `hlep` finds `help`, but `verbose` finds
 * nothing, nor does a one-letter `x` find `h`.
 */
export function nearest(name: string, known: Iterable<string>): string | null {
  const limit = Math.min(3, Math.floor(name.length / 3))
  let best: string | null = null
  let bestDistance = limit + 1
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`prot` -> `port`). */
export function editDistance(a: string, b: string): number {
  // rows of the dynamic programme: two rows back (for transpositions), one back, and this one
  let older: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, older[j - 2] + 1)
      }
      row.push(d)
    }
    older = previous
    previous = row
  }
  return previous[b.length]
}
