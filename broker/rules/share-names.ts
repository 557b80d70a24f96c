import { type Client, checkIncomingPackets, wireVersionOf } from '../aedes/connection.ts'
import { beforeEncode } from '../aedes/routing.ts'
import type { ConnectStage, ForwardStage, SubscribeStage } from '../aedes/stages.ts'

/**
 * The names of shared subscriptions (`$share/{ShareName}/{filter}`, MQTT 5
 * §4.8.2): which are well formed, how aedes and the store hold them, and
 * the stages that check and respell them as they are parsed. What a group
 * does with a message is broker/rules/shared-subscriptions.ts.
 */

export const SHARE_PREFIX = '$share/'
/**
 * How a shared subscription is spelled to aedes and in the store:
 * `$share/g/f` becomes `$SessionLab/share/g/f` as the SUBSCRIBE (or
 * UNSUBSCRIBE) is parsed, for every protocol level. aedes 2 answers an MQTT 5
 * `$share/...` SUBACK 0x9E and keeps nothing of it (handlers/subscribe.js);
 * under this name it stores, resumes and lists the membership like any
 * subscription. Shown as `$share/...` wherever a client or operator sees it
 * ({@link shownFilter}).
 */
export const SHARED_PREFIX = '$SessionLab/share/'
/**
 * What an ill-formed share name is subscribed as, numbered (aedes answers
 * one SUBACK code per distinct filter): refused by {@link refuseBadShares}.
 */
const BAD_SHARE = '$SessionLab/bad-share/'
/** SUBACK reason code for an ill-formed filter (MQTT 5 §3.9.3). */
const TOPIC_FILTER_INVALID = 0x8f

export interface ShareName {
  group: string
  filter: string
}

/**
 * A filter's share name and filter; null for an ordinary filter; 'invalid'
 * for a ShareName that is empty, holds `+` or `#`, or is not followed by
 * `/` and a filter [MQTT-4.8.2-1] [MQTT-4.8.2-2].
 */
export function parseShare(topic: string): ShareName | 'invalid' | null {
  if (!topic.startsWith(SHARE_PREFIX)) return null
  const rest = topic.slice(SHARE_PREFIX.length)
  const slash = rest.indexOf('/')
  if (slash <= 0) return 'invalid'
  const group = rest.slice(0, slash)
  const filter = rest.slice(slash + 1)
  if (/[+#]/.test(group) || filter === '') return 'invalid'
  return { group, filter }
}

/** The share of a subscription as aedes and the store hold it ({@link SHARED_PREFIX}); null for others. */
export function sharedFilterOf(topic: string): ShareName | null {
  if (!topic.startsWith(SHARED_PREFIX)) return null
  const share = parseShare(SHARE_PREFIX + topic.slice(SHARED_PREFIX.length))
  return share === 'invalid' ? null : share
}

/** A subscription's filter as the client wrote it: `$share/g/f` for a shared one. */
export function shownFilter(topic: string): string {
  return topic.startsWith(SHARED_PREFIX) ? SHARE_PREFIX + topic.slice(SHARED_PREFIX.length) : topic
}

export function heldFilter(share: ShareName): string {
  return `${SHARED_PREFIX}${share.group}/${share.filter}`
}

/**
 * As each SUBSCRIBE and UNSUBSCRIBE is parsed, before aedes sees it: share
 * names spelled as aedes keeps them, ill-formed ones refused, No Local on
 * one a protocol error. For MQTT 5, CONNACK's Shared Subscription
 * Available goes out as 1 (aedes 2 says 0), and an ill-formed share name
 * gets SUBACK 0x8F (Topic Filter invalid) rather than aedes' 0x87.
 */
export function checkShareNames(client: Client): void {
  const badFilters = new Map<number, number[]>()
  checkIncomingPackets(client, (packet) => {
    if (packet.cmd === 'unsubscribe' && packet.unsubscriptions) {
      packet.unsubscriptions = packet.unsubscriptions.map((topic) => {
        const share = parseShare(topic)
        return share && share !== 'invalid' ? heldFilter(share) : topic
      })
      return null
    }
    if (packet.cmd !== 'subscribe' || !packet.subscriptions) return null
    const subs = packet.subscriptions as { topic: string; nl?: boolean }[]
    for (const [i, sub] of subs.entries()) {
      const share = parseShare(sub.topic)
      if (share === null) continue
      // [MQTT-3.8.3-4]: a protocol error, which closes the connection
      if (sub.nl) return 'No Local on a shared subscription [MQTT-3.8.3-4]'
      // aedes would close the connection for a '+' or '#' inside the ShareName
      sub.topic = share === 'invalid' ? `${BAD_SHARE}${i}` : heldFilter(share)
    }
    // where the refused ones stand in the SUBACK: aedes answers each distinct filter once
    const distinct = [...new Set(subs.map((sub) => sub.topic))]
    const bad = distinct.flatMap((topic, i) => (topic.startsWith(BAD_SHARE) ? [i] : []))
    if (bad.length > 0 && packet.messageId !== undefined) badFilters.set(packet.messageId, bad)
    return null
  })
  beforeEncode(client, (packet) => {
    if (packet.cmd === 'connack' && packet.properties) {
      packet.properties.sharedSubscriptionAvailable = true
    }
    if (packet.cmd !== 'suback' || packet.messageId === undefined) return
    const bad = badFilters.get(packet.messageId)
    if (!bad || !packet.granted) return
    badFilters.delete(packet.messageId)
    // MQTT 3.1.1 has one failure code, 0x80, which aedes already answered
    if (wireVersionOf(client) === 5) for (const i of bad) packet.granted[i] = TOPIC_FILTER_INVALID
  })
}

/** An ill-formed share name is refused (SUBACK 0x80; 0x8F for MQTT 5, see checkShareNames). */
export const refuseBadShares: SubscribeStage = (_client, sub) => {
  if (sub.topic.startsWith(BAD_SHARE) || parseShare(sub.topic) === 'invalid') return null
  return sub
}

/** A message published to a topic named like a held share reaches nobody through it. */
export const hideLiteralShares: ForwardStage = (_client, packet) =>
  packet.topic.startsWith(SHARED_PREFIX) ? null : packet

/** The CONNECT stage of {@link checkShareNames}: installed before the connection's first SUBSCRIBE. */
export const shareNamesStage: ConnectStage = { read: checkShareNames }
