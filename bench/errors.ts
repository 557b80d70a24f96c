/** The first line of a multi-line message (errors carry the broker's output tail below it). */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? ''
}
