/**
 * ClientIDs are listed in UTF-8 byte order, which is Unicode code point
 * order and the order SQLite's BINARY collation gives TEXT. JavaScript's `<`
 * compares UTF-16 code units, which differs above U+FFFF, so every store and
 * the inspector compare with this instead.
 */
export function compareClientIds(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Equal up to here: only a surrogate (an astral code point) against a
    // unit at or above U+E000 compares differently by code point.
    return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// A surrogate stands for a code point above every BMP unit.
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit
}

/**
 * The least string greater than every string that starts with `prefix`, or
 * null when there is none: an exclusive upper bound for a prefix range scan.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (c) => c.codePointAt(0) as number)
  while (points.length > 0) {
    const last = (points.pop() as number) + 1
    if (last > 0x10ffff) continue
    // a lone surrogate cannot be stored as UTF-8: skip to the next code point
    points.push(last >= 0xd800 && last <= 0xdfff ? 0xe000 : last)
    return String.fromCodePoint(...points)
  }
  return null
}
