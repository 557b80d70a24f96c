import { isUtf8 } from 'node:buffer'

/**
 * The rule for every UTF-8 string field of a packet (topic names and
 * filters, ClientID, Will topic, user name; MQTT 5's string properties too):
 *
 * - [MQTT-1.5.3-1]: well-formed UTF-8, no encoded surrogate (U+D800-U+DFFF),
 *   no overlong form: otherwise the connection is closed.
 * - [MQTT-1.5.3-2]: no U+0000: otherwise the connection is closed.
 * - The spec says a string SHOULD NOT hold control characters
 *   (U+0001-U+001F, U+007F-U+009F) or non-characters (U+FDD0-U+FDEF, U+xFFFE,
 *   U+xFFFF) and lets a receiver close the connection for them (§1.5.3).
 *   SessionLab closes it, as Mosquitto 2.0 does: such a topic is almost
 *   always a client bug, and passing it on hands every subscriber a topic it
 *   may not print or match safely.
 *
 * mqtt-packet decodes strings with replacement characters, so the check
 * reads the bytes (broker/aedes/ `checkIncomingStrings`); printable ASCII,
 * nearly every topic, is accepted from the decoded text without them.
 * MQTT 5 has the same rules [MQTT-1.5.4-1/2], so this check serves both.
 */
export function malformedString(
  text: string,
  bytes: () => Buffer,
  packet = 'packet',
): string | null {
  if (isPrintableAscii(text)) return null
  if (!isUtf8(bytes())) {
    return `${packet}: a string is not well-formed UTF-8 [MQTT-1.5.3-1]`
  }
  for (const char of text) {
    const code = char.codePointAt(0) as number
    if (code === 0) return `${packet}: a string contains U+0000 [MQTT-1.5.3-2]`
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) {
      return `${packet}: a string contains the control character ${uPlus(code)}`
    }
    if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe) {
      return `${packet}: a string contains the non-character ${uPlus(code)}`
    }
  }
  return null
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code > 0x7e) return false
  }
  return true
}

function uPlus(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}
