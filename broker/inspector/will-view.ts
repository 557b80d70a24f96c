import type { WillView } from './types.ts'

/** Characters of text, or bytes shown as hex, a preview keeps. */
export const PREVIEW_CHARS = 200
const PREVIEW_BYTES = PREVIEW_CHARS / 2

// Enough bytes for PREVIEW_CHARS characters of any UTF-8 text, and one more.
const TEXT_BYTES = PREVIEW_CHARS * 4 + 4
/**
 * C0 and C1 controls, DEL, and the bidirectional overrides and isolates that
 * could reorder what is shown around the preview. Tested by code unit, not
 * with a regex: a regex of control characters is deliberate here but reads
 * as a mistake (biome's noControlCharactersInRegex). Every range is in the
 * BMP, so a surrogate never falls in one.
 */
function unprintable(unit: number): boolean {
  return (
    unit <= 0x1f ||
    (unit >= 0x7f && unit <= 0x9f) ||
    (unit >= 0x202a && unit <= 0x202e) ||
    (unit >= 0x2066 && unit <= 0x2069)
  )
}

function hasUnprintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (unprintable(text.charCodeAt(i))) return true
  return false
}

/** What the inspector shows of a Will: never its payload raw. */
export function willView(will: {
  topic: string
  payload: Buffer | string
  qos: number
  retain: boolean
  properties?: unknown
}): WillView {
  const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload
  const properties = will.properties as { willDelayInterval?: unknown } | undefined
  const delay = properties?.willDelayInterval
  return {
    topic: will.topic,
    qos: Math.min(Math.max(will.qos, 0), 2) as 0 | 1 | 2,
    retain: will.retain === true,
    payloadBytes: payload.length,
    ...preview(payload),
    // [MQTT-3.1.3-9]: as CONNECT asked; it waits no longer than the session lasts
    delay: typeof delay === 'number' ? delay : 0,
  }
}

/**
 * The payload as text when it is printable UTF-8, cut to
 * {@link PREVIEW_CHARS} characters; otherwise its first bytes in hex.
 * Cuts end with '…'. `payload` may be only the first bytes of a payload of
 * `size` bytes (a queue listing carries no more).
 */
export function preview(
  payload: Buffer,
  size = payload.length,
): Pick<WillView, 'preview' | 'previewKind'> {
  const text = printable(payload, size)
  if (text !== null) {
    const chars = Array.from(text)
    const cut = chars.length > PREVIEW_CHARS || Buffer.byteLength(text) < size
    return {
      preview: cut ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : text,
      previewKind: 'text',
    }
  }
  const shown = payload.subarray(0, PREVIEW_BYTES)
  const hex = shown.toString('hex')
  return { preview: size > shown.length ? `${hex}…` : hex, previewKind: 'hex' }
}

/** The text of the payload's first bytes when they are printable UTF-8, else null. */
function printable(payload: Buffer, size: number): string | null {
  let text: string
  try {
    // `stream` keeps a character cut at the end of the slice out, not an error
    const head = payload.subarray(0, TEXT_BYTES)
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, {
      stream: head.length < size,
    })
  } catch {
    return null
  }
  return hasUnprintable(text) ? null : text
}
