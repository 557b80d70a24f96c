/**
 * MQTT frames written byte by byte, for packets no client library would
 * send: ill-formed strings, flags that contradict the payload, wrong lengths.
 */

/** A Remaining Length [MQTT-2.2.3]. */
function remainingLength(n: number): Buffer {
  const out: number[] = []
  let left = n
  do {
    let byte = left % 128
    left = Math.floor(left / 128)
    if (left > 0) byte |= 0x80
    out.push(byte)
  } while (left > 0)
  return Buffer.from(out)
}

/** A whole frame: the fixed header byte, the Remaining Length, the body. */
export function frame(header: number, ...body: Buffer[]): Buffer {
  const rest = Buffer.concat(body)
  return Buffer.concat([Buffer.from([header]), remainingLength(rest.length), rest])
}

/** A UTF-8 string field as sent: 2-byte length, then the bytes as given. */
export function str(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  return Buffer.concat([u16(b.length), b])
}

export function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff])
}

export interface ConnectFields {
  name?: string
  level?: number
  clean?: boolean
  clientId?: Buffer | string
  will?: { topic: Buffer | string; payload?: Buffer | string; qos?: number }
  username?: Buffer | string
  password?: Buffer | string
  /** Flags as sent, when they should say other than what the payload holds. */
  flags?: number
}

/** A CONNECT whose flags follow the fields given unless `flags` says otherwise. */
export function connectFrame(fields: ConnectFields): Buffer {
  const { will, username, password } = fields
  let flags = fields.clean === false ? 0 : 0x02
  if (will) flags |= 0x04 | ((will.qos ?? 0) << 3)
  if (username !== undefined) flags |= 0x80
  if (password !== undefined) flags |= 0x40
  const body = [
    str(fields.name ?? 'MQTT'),
    Buffer.from([fields.level ?? 4, fields.flags ?? flags]),
    u16(0), // keepalive
    str(fields.clientId ?? 'raw'),
  ]
  if (will) body.push(str(will.topic), str(will.payload ?? 'gone'))
  if (username !== undefined) body.push(str(username))
  if (password !== undefined) body.push(str(password))
  return frame(0x10, ...body)
}

export function publishFrame(topic: Buffer | string, qos: 0 | 1 | 2 = 0, id = 1): Buffer {
  return frame(0x30 | (qos << 1), str(topic), qos > 0 ? u16(id) : Buffer.alloc(0), Buffer.from('x'))
}

export function subscribeFrame(filter: Buffer | string, id = 1): Buffer {
  return frame(0x82, u16(id), str(filter), Buffer.from([1]))
}

export function unsubscribeFrame(filters: (Buffer | string)[], id = 1): Buffer {
  return frame(0xa2, u16(id), ...filters.map(str))
}
