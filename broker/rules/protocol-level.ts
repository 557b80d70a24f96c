import { refuseProtocolVersion } from '../aedes/connection.ts'
import type { ConnectStage } from '../aedes/stages.ts'

/**
 * The one place that decides which protocol levels SessionLab speaks
 * [MQTT-3.1.2-2]: 'MQIsdp' is MQTT 3.1 (level 3), 'MQTT' is 3.1.1 (level 4)
 * and MQTT 5 (level 5). mqtt-packet accepts either name with levels 3-5; a
 * mismatch is refused with CONNACK 0x01, as a level it cannot parse at all
 * is (broker/rules/malformed-packets.ts, {@link parsableProtocolLevel}).
 */
export function acceptsProtocolLevel(protocolId: string, level: number): boolean {
  return protocolId === 'MQIsdp' ? level === 3 : level === 4 || level === 5
}

/** The levels mqtt-packet parses a CONNECT of at all; others fail to parse. */
export function parsableProtocolLevel(level: number): boolean {
  return level >= 3 && level <= 5
}

/**
 * The CONNECT stage of {@link acceptsProtocolLevel}: refused before any other
 * rule looks at the CONNECT, with CONNACK 0x01 in the 3.1.1 form (a client
 * whose level the broker does not speak cannot be assumed to read MQTT 5).
 */
export const protocolLevelStage: ConnectStage = {
  refuse(_client, packet) {
    if (acceptsProtocolLevel(packet.protocolId ?? 'MQTT', packet.protocolVersion ?? 4)) return null
    refuseProtocolVersion(packet)
    return { returnCode: 1, reason: 'unacceptable protocol version' }
  },
}
