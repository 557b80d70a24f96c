/**
 * Filter containment for ACL entries. A filter starting with a wildcard never
 * matches a topic starting with `$` [MQTT-4.7.2-1], as in Mosquitto's
 * `mosquitto_topic_matches_sub`; topic matching itself is `rules/qos.ts`.
 */

export { topicMatches } from '../rules/qos.ts'

/**
 * Whether every topic the subscription filter `sub` can match is also
 * matched by `acl`: a subscription is granted only as wide as the ACL entry
 * that allows it (`a/#` allows `a/+/b`; `a/+` does not allow `a/#`).
 */
export function filterWithin(sub: string, acl: string): boolean {
  const s = sub.split('/')
  const a = acl.split('/')
  if (startsWithWildcard(a) && sub.startsWith('$')) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true
    if (i >= s.length || s[i] === '#') return false
    if (a[i] === '+') continue
    if (s[i] === '+' || s[i] !== a[i]) return false
  }
  return s.length === a.length
}

function startsWithWildcard(levels: string[]): boolean {
  return levels[0] === '#' || levels[0] === '+'
}
