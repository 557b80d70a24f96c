/**
 * The one way browser code builds DOM: strings always become text nodes
 * (`append` / `textContent`), never markup, so a ClientID, topic, Will or
 * payload holding `<script>` shows as those characters.
 */
export type Child = Node | string | number | null

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value)
  for (const child of children) {
    if (child !== null) node.append(typeof child === 'number' ? String(child) : child)
  }
  return node
}

export function byId(id: string): HTMLElement {
  const node = document.getElementById(id)
  if (node === null) throw new Error(`no #${id} on this page`)
  return node
}

export function time(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleTimeString()
}

export function bytes(n: number | null): string {
  if (n === null) return '—'
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`
}

/** The link to a session's page: its ClientID as one percent-encoded path segment. */
export function sessionHref(clientId: string): string {
  return `/sessions/${encodeURIComponent(clientId)}`
}
