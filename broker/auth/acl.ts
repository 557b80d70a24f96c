import { filterWithin, topicMatches } from './topics.ts'

/** What a client asks to do with a topic: publish to it, receive it, subscribe to a filter. */
export type Access = 'write' | 'read' | 'subscribe'

interface Entry {
  /** null: `deny`. */
  access: { read: boolean; write: boolean } | null
  topic: string
}

/** A parsed Mosquitto ACL file. */
export interface Acl {
  /** `topic` lines before any `user` line: clients without a username. */
  anonymous: Entry[]
  users: Map<string, Entry[]>
  /** `pattern` lines, for every client, with `%c` and `%u` substituted. */
  patterns: Entry[]
}

/** Who is asking: the ClientID and the username of the CONNECT (null when none). */
export interface Identity {
  clientId: string
  username: string | null
}

const READWRITE = { read: true, write: true }
const ACCESS: Record<string, Entry['access']> = {
  read: { read: true, write: false },
  write: { read: false, write: true },
  readwrite: READWRITE,
  deny: null,
}

/**
 * Parses Mosquitto's ACL file format: `user <name>`, `topic [read|write|readwrite|deny] <topic>`
 * (readwrite when no access is given), `pattern [...] <topic>`, `#` comments. Throws on any
 * other line, naming file and line.
 */
export function parseAcl(text: string, file: string): Acl {
  const acl: Acl = { anonymous: [], users: new Map(), patterns: [] }
  let current = acl.anonymous
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const at = `${file}:${index + 1}`
    const [keyword = '', ...rest] = line.split(/\s+/)
    const value = line.slice(keyword.length).trim()
    if (keyword === 'user') {
      if (value === '') throw new Error(`${at}: user needs a name`)
      current = acl.users.get(value) ?? []
      acl.users.set(value, current)
    } else if (keyword === 'topic' || keyword === 'pattern') {
      const first = rest[0] ?? ''
      const hasAccess = Object.hasOwn(ACCESS, first)
      const topic = hasAccess ? value.slice(first.length).trim() : value
      if (topic === '') throw new Error(`${at}: ${keyword} needs a topic`)
      const entry: Entry = { access: hasAccess ? (ACCESS[first] ?? null) : READWRITE, topic }
      if (keyword === 'pattern') acl.patterns.push(entry)
      else current.push(entry)
    } else {
      throw new Error(`${at}: unknown keyword "${keyword}" (expected user, topic or pattern)`)
    }
  }
  return acl
}

/**
 * Mosquitto's rules: the client's own entries (its user's, or the anonymous
 * ones) and every pattern apply; a matching `deny` wins over any grant;
 * nothing matching means denied. A subscription needs read access to all it
 * can match; a deny entry refuses a filter that lies within it, and narrower
 * denies are applied to each message as it is delivered (`read`).
 */
export function aclAllows(acl: Acl, who: Identity, access: Access, topic: string): boolean {
  const own = who.username === null ? acl.anonymous : (acl.users.get(who.username) ?? [])
  const patterns: Entry[] = []
  for (const pattern of acl.patterns) {
    const resolved = substitute(pattern.topic, who)
    // CVE-2017-7650: a ClientID or username with wildcards must not widen a pattern
    if (resolved === 'unsafe') return false
    if (resolved !== null) patterns.push({ access: pattern.access, topic: resolved })
  }
  const entries = [...own, ...patterns]
  const covers = (entry: Entry) =>
    access === 'subscribe' ? filterWithin(topic, entry.topic) : topicMatches(entry.topic, topic)
  if (entries.some((e) => e.access === null && covers(e))) return false
  const wanted = access === 'write' ? 'write' : 'read'
  return entries.some((e) => e.access?.[wanted] === true && covers(e))
}

/** The pattern with %c and %u filled in; null when it needs a username the client lacks. */
function substitute(topic: string, who: Identity): string | null | 'unsafe' {
  if (topic.includes('%u') && who.username === null) return null
  for (const value of [
    topic.includes('%c') ? who.clientId : '',
    topic.includes('%u') ? (who.username ?? '') : '',
  ]) {
    if (value.includes('+') || value.includes('#')) return 'unsafe'
  }
  return topic.replaceAll('%c', who.clientId).replaceAll('%u', who.username ?? '')
}
