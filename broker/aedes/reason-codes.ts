/**
 * The MQTT 5 reason codes SessionLab sends itself [MQTT-2.4] (aedes keeps its
 * own list in lib/constants.js, not exported).
 */
export const ReasonCode = {
  success: 0x00,
  protocolError: 0x82,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  receiveMaximumExceeded: 0x93,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
} as const

/**
 * The MQTT 5 CONNACK reason code of an MQTT 3.1.1 return code, as aedes maps
 * them (lib/handlers/connect.js `connackReasonCodes`) [MQTT-3.2.2-8].
 */
export function connackReasonCode(returnCode: 1 | 2 | 3 | 4 | 5): number {
  switch (returnCode) {
    case 1:
      return ReasonCode.unsupportedProtocolVersion
    case 2:
      return ReasonCode.clientIdentifierNotValid
    case 3:
      return ReasonCode.serverUnavailable
    case 4:
      return ReasonCode.badUserNameOrPassword
    case 5:
      return ReasonCode.notAuthorized
  }
}
