import type { SubscribeStage } from '../aedes/stages.ts'
import type { StoredSubscription } from '../store/types.ts'

/**
 * Session present [MQTT-3.2.2-2]: CONNACK says 1 whenever the server has a
 * session for the ClientID, also one without subscriptions. aedes 1.2
 * derives the flag from "has subscriptions", so a resumed session without
 * any is told about this marker subscription instead. It is never granted,
 * stored, acknowledged or shown: every place that lists subscriptions skips
 * it with {@link isSessionMarker}.
 */
export const SESSION_MARKER_TOPIC = '$SessionLab/session-present'

export function isSessionMarker(topic: string): boolean {
  return topic === SESSION_MARKER_TOPIC
}

/** The subscriptions aedes restores on resume: the marker when a session exists without any. */
export function subscriptionsToResume(
  subs: StoredSubscription[],
  sessionExisted: boolean,
): StoredSubscription[] {
  return subs.length === 0 && sessionExisted ? [{ topic: SESSION_MARKER_TOPIC, qos: 0 }] : subs
}

/** The SUBSCRIBE stage: the marker is never granted, so never subscribed. */
export const hideSessionMarker: SubscribeStage = (_client, sub) =>
  isSessionMarker(sub.topic) ? null : sub
