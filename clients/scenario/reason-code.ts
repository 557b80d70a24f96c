/** `0x8E (142)`: an MQTT 5 reason code as the spec writes it, and as a number. */
export function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(2, '0')} (${code})`
}
