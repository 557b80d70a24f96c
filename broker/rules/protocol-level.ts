import { refuseProtocolVersion } from '../aedes/connection.ts'
import type { ConnectStage } from '../aedes/stages.ts'

/**
 * [MQTT-3.1.2-2]: the protocol level must be one the broker speaks under
 * the protocol name given: 'MQIsdp' is MQTT 3.1 (level 3), 'MQTT' is 3.1.1
 * (level 4) and MQTT 5 (level 5). mqtt-packet accepts either name with
 * levels 3-5; a mismatch is refused with CONNACK 0x01, as a level it cannot
 * parse at all is (broker/rules/malformed-packets.ts).
 */
export function acceptsProtocolLevel(protocolId: string, level: number): boolean {
  return protocolId === 'MQIsdp' ? level === 3 : level === 4 || level === 5
}

/** The CONNECT stage of {@link acceptsProtocolLevel}: aedes answers the refusal. */
export const protocolLevelStage: ConnectStage = {
  read(_client, packet) {
    if (!acceptsProtocolLevel(packet.protocolId ?? 'MQTT', packet.protocolVersion ?? 4)) {
      refuseProtocolVersion(packet)
    }
  },
}
