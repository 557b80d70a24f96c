/**
 * The text format: one pino JSON line made into one human line, in
 * Mosquitto's spirit — `2026-12-04T17:25:21.123Z info  client dev1 connected ...`.
 * The message says it all; the structured fields are for the JSON format.
 */
export function textLine(json: string): string {
  const entry = parseEntry(json)
  // pino wrote it, so this does not happen; should it, the line is kept as it came
  if (!entry) return json
  return `${entry.time} ${entry.level.padEnd(5)} ${entry.msg}\n`
}

function parseEntry(json: string): { time: string; level: string; msg: string } | null {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { time, level, msg } = value as Record<string, unknown>
  if (typeof time !== 'string' || typeof level !== 'string') return null
  return { time, level, msg: typeof msg === 'string' ? msg : '' }
}
