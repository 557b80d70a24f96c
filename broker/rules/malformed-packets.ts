import {
  type Client,
  checkIncomingPackets,
  checkIncomingStrings,
  onConnectParseError,
  type ParsedPacket,
  reserveConnackFlags,
  writeBytes,
} from '../aedes/connection.ts'
import { parsableProtocolLevel } from './protocol-level.ts'
import { malformedString } from './utf8-strings.ts'

/**
 * The MUSTs of the packet formats that mqtt-packet's parser lets through,
 * checked as each packet is parsed, before aedes sees it. A packet that
 * breaks one is malformed: the connection is closed [MQTT-4.8.0-1] (after
 * CONNECT without a CONNACK, as Mosquitto does), and nothing else is touched.
 * Keyed on the connection's protocol level where the versions differ, so
 * MQTT 5 rules go beside these.
 */

/** A CONNACK refusing the protocol level: 0x01 [MQTT-3.1.2-2], in the 3.1.1 format. */
const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01])

/** The acknowledgements whose Remaining Length is exactly 2 in MQTT 3.1 and 3.1.1. */
const ACKS = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp'])

/** Installs the checks on a new connection, before any byte of it is parsed; returns it. */
export function guardProtocol(client: Client): Client {
  let level: number | undefined
  checkIncomingStrings(client, (text, bytes, cmd) => malformedString(text, bytes, cmd))
  checkIncomingPackets(client, (packet, read) => {
    if (packet.cmd === 'connect') {
      level = packet.protocolVersion as number
      // MQTT 3.1 has no session-present flag: its CONNACK byte is reserved, 0
      if (level === 3) reserveConnackFlags(client)
    }
    return malformedPacket(packet, read, level)
  })
  onConnectParseError(client, (_reason, connect) => {
    // [MQTT-3.1.2-2]: a level the broker does not speak, under a name it
    // knows, is answered with CONNACK 0x01 before the connection closes
    // (mqtt-packet fails such a CONNECT before aedes could answer it)
    const known = connect.protocolId === 'MQTT' || connect.protocolId === 'MQIsdp'
    const level = connect.protocolVersion
    if (known && level !== undefined && !parsableProtocolLevel(level)) {
      writeBytes(client, CONNACK_UNACCEPTABLE_PROTOCOL)
    }
  })
  return client
}

/** Why a parsed packet is malformed, or null. `read`: bytes of it the parser read. */
export function malformedPacket(
  packet: ParsedPacket,
  read: number,
  level: number | undefined,
): string | null {
  switch (packet.cmd) {
    case 'connect':
      return malformedConnect(packet, read)
    case 'publish':
      return (packet.qos as number) > 0 ? zeroPacketId(packet) : null
    case 'subscribe':
      return zeroPacketId(packet)
    case 'unsubscribe':
      if (packet.unsubscriptions?.length === 0) {
        return 'UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]'
      }
      return zeroPacketId(packet)
    default:
      if (ACKS.has(packet.cmd)) return malformedAck(packet, level)
      return null
  }
}

interface ConnectFields {
  protocolVersion?: number
  username?: string
  password?: Buffer
  will?: { topic: string; qos: number }
}

function malformedConnect(packet: ParsedPacket, read: number): string | null {
  const connect = packet as ParsedPacket & ConnectFields
  const will = connect.will
  if (will && will.qos === 3) return 'CONNECT with Will QoS 3 [MQTT-3.1.2-14]'
  if (will && will.topic === '') return 'CONNECT with a zero-length Will topic [MQTT-4.7.3-1]'
  // MQTT 5 allows a password without a user name
  if (connect.password !== undefined && connect.username === undefined) {
    if (connect.protocolVersion !== 5) {
      return 'CONNECT with the Password flag but not the User Name flag [MQTT-3.1.2-22]'
    }
  }
  // the parser reads the fields the flags announce: bytes beyond them are a
  // Will, user name or password whose flag is 0 [MQTT-3.1.2-18] [MQTT-3.1.2-20]
  if (read < packet.length) {
    return `CONNECT payload has ${packet.length - read} bytes its flags do not announce [MQTT-3.1.2-18] [MQTT-3.1.2-20]`
  }
  return null
}

/** [MQTT-2.3.1-1]: SUBSCRIBE, UNSUBSCRIBE and QoS 1/2 PUBLISH carry a non-zero packet id. */
function zeroPacketId(packet: ParsedPacket): string | null {
  if (packet.messageId !== 0) return null
  return `${packet.cmd.toUpperCase()} with packet id 0 [MQTT-2.3.1-1]`
}

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP hold a packet id and, in 3.1 and
 * 3.1.1, nothing else: a Remaining Length other than 2 is malformed
 * [MQTT-4.8.0-1] (mqtt-packet would read the id from the next packet's
 * bytes). MQTT 5 adds a reason code and properties, so at least 2 there.
 */
function malformedAck(packet: ParsedPacket, level: number | undefined): string | null {
  const ok = level === 5 ? packet.length >= 2 : packet.length === 2
  if (ok) return null
  return `${packet.cmd.toUpperCase()} with Remaining Length ${packet.length} [MQTT-4.8.0-1]`
}
