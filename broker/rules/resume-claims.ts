import type { ConnectStage } from '../aedes/stages.ts'

/**
 * While a persistent session resumes, one message can reach it two ways: live,
 * through the subscriptions aedes restores before CONNACK, and from the stored
 * queue it streams after CONNACK, when the message was queued in between. Each
 * way claims the message (by its origin, brokerId:brokerCounter) before
 * sending it; the one that comes second stands down, so a message is not sent
 * twice with two packet ids (a duplicate even at QoS 2). Claims exist only
 * from CONNECT until the resume stream has ended.
 */
type Way = 'live' | 'queue'

const claims = new WeakMap<object, Map<string, Way>>()

/** Starts the claim period of a connection resuming a persistent session. */
export function beginResume(client: object): void {
  claims.set(client, new Map())
}

/** Ends it: from now on live delivery is the only way. */
export function endResume(client: object): void {
  claims.delete(client)
}

/** Whether `way` may send this message: true unless the other way claimed it first. */
export function claim(
  client: object,
  origin: { brokerId?: string; brokerCounter?: number },
  way: Way,
): boolean {
  const taken = claims.get(client)
  if (!taken || !origin.brokerId) return true
  const key = `${origin.brokerId}:${origin.brokerCounter}`
  const owner = taken.get(key)
  if (owner === undefined) {
    taken.set(key, way)
    return true
  }
  return owner === way
}

/** The CONNECT stage: a connection resuming a persistent session starts its claim period. */
export const resumeClaimsStage: ConnectStage = {
  read(client, packet) {
    if (packet.clean === false) beginResume(client)
  },
}
