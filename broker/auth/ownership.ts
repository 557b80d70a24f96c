import type { SessionRecord } from '../store/types.ts'

/** What the ownership rule looks at for one CONNECT. */
export interface ClaimedClientId {
  username: string | null
  /** The username of the live connection holding this ClientID, if one does. */
  liveOwner: string | null | undefined
  /** The stored persistent session of this ClientID, if any. */
  session: Pick<SessionRecord, 'username'> | undefined
}

/**
 * A ClientID's session belongs to the user that created it: a CONNECT by
 * anyone else, whether it would take the session over (CleanSession=0) or
 * wipe it (CleanSession=1, [MQTT-3.1.2-6]), is refused. Mosquitto 2.x lets
 * any authenticated user do both (mosquitto#3551). The reason, or null.
 */
export function ownershipRefusal(claim: ClaimedClientId): string | null {
  if (claim.liveOwner !== undefined && claim.liveOwner !== claim.username) {
    return 'ClientID is connected as another user'
  }
  if (claim.session && claim.session.username !== claim.username) {
    return 'ClientID has a persistent session of another user'
  }
  return null
}
