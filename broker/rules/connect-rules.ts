import { type Client, imposeServerKeepAlive } from '../aedes/connection.ts'
import type { ConnectStage } from '../aedes/stages.ts'

/** What of a CONNECT the ClientID and keepalive rules look at. */
export interface ConnectRequest {
  /** 3 for MQTT 3.1, 4 for 3.1.1, 5 for MQTT 5. */
  protocolVersion?: number
  clientId: string
  clean: boolean
  keepalive: number
}

export interface ConnectLimits {
  maxClientIdLength: number
  maxKeepalive: number
}

/** CONNACK return code 0x02, "identifier rejected", and why. */
export interface Refusal {
  returnCode: 2
  reason: string
}

// [MQTT-3.1.3-5]: these the server must accept, whatever the limits say
const ALWAYS_ACCEPTED = /^[0-9a-zA-Z]{1,23}$/

/**
 * Decides whether a CONNECT's ClientID and keepalive are acceptable. Only
 * codes 0-5 exist in MQTT 3.1.1 (aedes' keepaliveLimit answers 6), so a
 * keepalive over the limit is refused as Mosquitto does, with 0x02. MQTT 5
 * refuses neither: a zero-length ClientID gets one assigned whatever Clean
 * Start says [MQTT-3.1.3-6], and the keepalive is lowered by Server Keep
 * Alive ({@link serverKeepAlive}); its refusals are reason 0x85 [MQTT-3.2.2-8].
 */
export function refuseConnect(req: ConnectRequest, limits: ConnectLimits): Refusal | null {
  const id = req.clientId
  const v5 = req.protocolVersion === 5
  if (id.length === 0 && req.protocolVersion === 3) {
    // MQTT 3.1 §3.1: a ClientID of 1-23 characters; zero-length ones came with 3.1.1
    return { returnCode: 2, reason: 'zero-length ClientID is not allowed in MQTT 3.1' }
  }
  if (id.length === 0 && !req.clean && !v5) {
    // [MQTT-3.1.3-8]: a server-assigned id could never be resumed
    return { returnCode: 2, reason: 'zero-length ClientID requires CleanSession=1' }
  }
  if (id.length > 0 && !ALWAYS_ACCEPTED.test(id)) {
    const bytes = Buffer.byteLength(id, 'utf8')
    if (bytes > limits.maxClientIdLength) {
      return {
        returnCode: 2,
        reason: `ClientID is ${bytes} bytes, over the limit of ${limits.maxClientIdLength}`,
      }
    }
    // [MQTT-1.5.3-2]
    if (id.includes('\u0000')) return { returnCode: 2, reason: 'ClientID contains U+0000' }
  }
  if (!v5 && overKeepalive(req.keepalive, limits)) {
    return {
      returnCode: 2,
      reason: `keepalive ${req.keepalive}s is outside 1-${limits.maxKeepalive}s`,
    }
  }
  return null
}

function overKeepalive(keepalive: number, limits: ConnectLimits): boolean {
  return limits.maxKeepalive > 0 && (keepalive === 0 || keepalive > limits.maxKeepalive)
}

/**
 * MQTT 5: the keepalive the broker imposes instead of refusing the CONNECT
 * (Server Keep Alive in CONNACK [MQTT-3.2.2-21]), or null to keep the client's.
 */
export function serverKeepAlive(req: ConnectRequest, limits: ConnectLimits): number | null {
  if (req.protocolVersion !== 5 || !overKeepalive(req.keepalive, limits)) return null
  return limits.maxKeepalive
}

/**
 * The CONNECT stage of these rules. It runs after the login checks, so it
 * is the last word on a CONNECT that passes them.
 */
export function clientIdAndKeepaliveStage(limits: ConnectLimits): ConnectStage {
  const requests = new WeakMap<Client, ConnectRequest>()
  return {
    read(client, packet) {
      const request = {
        protocolVersion: packet.protocolVersion,
        clientId: packet.clientId,
        clean: packet.clean !== false,
        keepalive: packet.keepalive ?? 0,
      }
      requests.set(client, request)
      const imposed = serverKeepAlive(request, limits)
      if (imposed !== null) imposeServerKeepAlive(client, imposed)
    },
    // aedes 2 refuses [MQTT-3.1.3-8] itself before the checks, without the
    // reason: refuse it first, with the reason (MQTT 3.1.1 only)
    refuse(_client, packet) {
      if (packet.protocolVersion === 5) return null
      if (packet.clientId.length > 0 || packet.clean !== false) return null
      return refuseConnect({ clientId: '', clean: false, keepalive: 0 }, limits)
    },
    check(client) {
      const request = requests.get(client)
      return request ? refuseConnect(request, limits) : null
    },
  }
}
