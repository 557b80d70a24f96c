/**
 * Whether an MQTT topic filter matches a topic name [MQTT-4.7.1]. Filters
 * starting with a wildcard never match topics starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true
  if ((filter[0] === '+' || filter[0] === '#') && topic[0] === '$') return false
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    const level = f[i]
    // '#' also matches the parent level: 'a/#' matches 'a' [MQTT-4.7.1-2]
    if (level === '#') return true
    if (i >= t.length) return false
    if (level !== '+' && level !== t[i]) return false
  }
  return f.length === t.length
}
