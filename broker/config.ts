import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { SessionLabError } from './errors.ts'

/** The one typed configuration of a SessionLab broker. Nothing below it reads `process.env`. */
export interface Config {
  host: string
  mqttPort: number
  wsPort: number
  wsPath: string
  httpPort: number
  store: 'sqlite' | 'memory' | 'redis'
  dataDir: string
  redisUrl: string
  brokerId: string
  nodeTimeout: number
  sqliteSync: 'normal' | 'full'
  maxClientIdLength: number
  maxKeepalive: number
  takeoverWill: 'publish' | 'suppress'
  maxPendingDeliveries: number
  adminToken: string
  cookieSecret: string
  queueMaxMessages: number
  queueMaxBytes: number
  queueDropPolicy: 'oldest' | 'newest'
  queueQos0: boolean
  maxInflight: number
  sessionExpiry: number
  sysInterval: number
  historySize: number
  idleCompaction: boolean
  passwordFile: string
  aclFile: string
  allowAnonymous: 'auto' | 'true' | 'false'
  clientidFromUsername: boolean
  maxPacketSize: number
  maxConnections: number
  maxSubscriptions: number
  maxTopicLevels: number
  maxTopicLength: number
  connectTimeout: number
}

type Kind =
  | { type: 'string' }
  | { type: 'optional-string' }
  | { type: 'bool' }
  | { type: 'path' }
  | { type: 'port' }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'redis-url' }
  | { type: 'broker-id' }

interface Field {
  flag: string
  kind: Kind
  default: string | number | boolean
  help: string
}

/** Declarative table of every setting: its flag, type, default and help line. */
export const fields: { [K in keyof Config]: Field } = {
  host: {
    flag: 'host',
    kind: { type: 'string' },
    default: '127.0.0.1',
    help: 'address every listener binds to',
  },
  mqttPort: {
    flag: 'mqtt-port',
    kind: { type: 'port' },
    default: 1883,
    help: 'MQTT over TCP port (0 picks a free port)',
  },
  wsPort: {
    flag: 'ws-port',
    kind: { type: 'port' },
    default: 8083,
    help: 'MQTT over WebSocket port (0 picks a free port)',
  },
  wsPath: { flag: 'ws-path', kind: { type: 'string' }, default: '/mqtt', help: 'WebSocket path' },
  httpPort: {
    flag: 'http-port',
    kind: { type: 'port' },
    default: 8080,
    help: 'HTTP/JSON API, /healthz and /metrics port (0 picks a free port)',
  },
  store: {
    flag: 'store',
    kind: { type: 'enum', values: ['sqlite', 'memory', 'redis'] },
    default: 'sqlite',
    help: 'session store: sqlite (durable), memory, or redis (cluster mode: nodes share sessions)',
  },
  dataDir: {
    flag: 'data-dir',
    kind: { type: 'path' },
    default: './data',
    help: 'where the sqlite store keeps its file, and the generated admin token and cookie secret',
  },
  redisUrl: {
    flag: 'redis-url',
    kind: { type: 'redis-url' },
    default: 'redis://127.0.0.1:6379',
    help: 'the Redis every node of a cluster shares (with --store redis)',
  },
  brokerId: {
    flag: 'broker-id',
    kind: { type: 'broker-id' },
    default: '',
    help: "this node's id in a cluster, unique per node: 1-64 of [A-Za-z0-9._-] (empty: generated)",
  },
  nodeTimeout: {
    flag: 'node-timeout',
    kind: { type: 'int', min: 1, max: 3600 },
    default: 6,
    help: 'seconds without a heartbeat before a cluster node counts as dead and its Wills are published',
  },
  sqliteSync: {
    flag: 'sqlite-sync',
    kind: { type: 'enum', values: ['normal', 'full'] },
    default: 'normal',
    help: 'normal survives a process crash; full also survives power loss',
  },
  maxClientIdLength: {
    flag: 'max-client-id-length',
    kind: { type: 'int', min: 23, max: 65535 },
    default: 256,
    help: 'longest ClientID accepted (1-23 of [0-9a-zA-Z] always are)',
  },
  maxKeepalive: {
    flag: 'max-keepalive',
    kind: { type: 'int', min: 0, max: 65535 },
    default: 0,
    help: 'refuse keepalives above this (0 = no limit), with CONNACK 0x02',
  },
  takeoverWill: {
    flag: 'takeover-will',
    kind: { type: 'enum', values: ['publish', 'suppress'] },
    default: 'publish',
    help: "publish the old connection's Will on ClientID takeover (per MQTT 3.1.1) or not",
  },
  maxPendingDeliveries: {
    flag: 'max-pending-deliveries',
    kind: { type: 'int', min: 1, max: 10_000_000 },
    default: 10_000,
    help: 'messages waiting to be written to one slow client before it is disconnected',
  },
  adminToken: {
    flag: 'admin-token',
    kind: { type: 'optional-string' },
    default: '',
    help: 'operator token for state-changing API calls (empty: generated once into the data dir)',
  },
  cookieSecret: {
    flag: 'cookie-secret',
    kind: { type: 'optional-string' },
    default: '',
    help: 'secret that signs dashboard cookies (empty: generated once into the data dir)',
  },
  queueMaxMessages: {
    flag: 'queue-max-messages',
    kind: { type: 'int', min: 0, max: 100_000_000 },
    default: 100_000,
    help: 'queued messages kept per offline session (0 = no limit); past it one is dropped',
  },
  queueMaxBytes: {
    flag: 'queue-max-bytes',
    kind: { type: 'int', min: 0, max: 1_000_000_000_000 },
    default: 64 * 1024 * 1024,
    help: 'payload bytes queued per session (0 = no limit); past it one is dropped',
  },
  queueDropPolicy: {
    flag: 'queue-drop-policy',
    kind: { type: 'enum', values: ['oldest', 'newest'] },
    default: 'oldest',
    help: 'which message a full queue drops: the oldest queued or the new one',
  },
  queueQos0: {
    flag: 'queue-qos0',
    kind: { type: 'bool' },
    default: false,
    help: 'also queue QoS 0 messages for offline persistent sessions',
  },
  maxInflight: {
    flag: 'max-inflight',
    kind: { type: 'int', min: 0, max: 65535 },
    default: 0,
    help: 'unacknowledged QoS 1/2 messages sent to one client at a time (0 = no limit)',
  },
  sessionExpiry: {
    flag: 'session-expiry',
    kind: { type: 'int', min: 0, max: 10 * 365 * 24 * 3600 },
    default: 0,
    help: 'seconds an offline persistent session is kept before it expires (0 = never)',
  },
  sysInterval: {
    flag: 'sys-interval',
    kind: { type: 'int', min: 0, max: 86_400 },
    default: 10,
    help: 'seconds between $SYS/broker/... count updates (0 = off)',
  },
  historySize: {
    flag: 'history-size',
    kind: { type: 'int', min: 0, max: 10_000 },
    default: 100,
    help: "events kept in each session's history",
  },
  idleCompaction: {
    flag: 'idle-compaction',
    kind: { type: 'bool' },
    default: true,
    help: 'once idle after a burst, compact the JS heap so its memory goes back to the OS (one GC pause)',
  },
  passwordFile: {
    flag: 'password-file',
    kind: { type: 'optional-string' },
    default: '',
    help: 'mosquitto_passwd file ($7$ PBKDF2-SHA512 or $6$ SHA512) of the users who may connect; reloaded on SIGHUP',
  },
  aclFile: {
    flag: 'acl',
    kind: { type: 'optional-string' },
    default: '',
    help: 'Mosquitto ACL file (user, topic, pattern with %c %u); reloaded on SIGHUP (empty: all allowed)',
  },
  allowAnonymous: {
    flag: 'allow-anonymous',
    kind: { type: 'enum', values: ['auto', 'true', 'false'] },
    default: 'auto',
    help: 'accept CONNECTs without a username (auto: only while --host is a loopback address)',
  },
  clientidFromUsername: {
    flag: 'clientid-from-username',
    kind: { type: 'bool' },
    default: false,
    help: "use the username as the ClientID, as Mosquitto's use_username_as_clientid",
  },
  maxPacketSize: {
    flag: 'max-packet-size',
    kind: { type: 'int', min: 16, max: 268_435_460 },
    default: 1024 * 1024,
    help: 'largest MQTT packet accepted, in bytes; a larger one closes its connection',
  },
  maxConnections: {
    flag: 'max-connections',
    kind: { type: 'int', min: 0, max: 10_000_000 },
    default: 10_000,
    help: 'connected clients at a time (0 = no limit); past it CONNACK 0x03',
  },
  maxSubscriptions: {
    flag: 'max-subscriptions',
    kind: { type: 'int', min: 0, max: 10_000_000 },
    default: 1000,
    help: 'topic filters per client (0 = no limit); past it SUBACK 0x80',
  },
  maxTopicLevels: {
    flag: 'max-topic-levels',
    kind: { type: 'int', min: 1, max: 100 },
    default: 100,
    help: 'levels of a topic or filter; a PUBLISH or SUBSCRIBE over it closes its connection',
  },
  maxTopicLength: {
    flag: 'max-topic-length',
    kind: { type: 'int', min: 1, max: 65_535 },
    default: 4096,
    help: 'bytes of a topic or filter; a filter over it gets SUBACK 0x80, a PUBLISH closes its connection',
  },
  connectTimeout: {
    flag: 'connect-timeout',
    kind: { type: 'int', min: 1, max: 3600 },
    default: 30,
    help: 'seconds a new connection has to send CONNECT before it is closed',
  },
}

const keys = Object.keys(fields) as (keyof Config)[]

export type LoadResult = { help: string } | { config: Config; sources: string[] }

/**
 * Builds the configuration from defaults < config file < environment < flags.
 * Throws `CONFIG_INVALID` naming the flag, key or variable at fault.
 */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined> = {},
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): LoadResult {
  const flags = parseFlags(argv)
  if (flags.help === true) return { help: helpText() }

  const raw = new Map<keyof Config, { value: unknown; where: string }>()
  for (const key of keys) raw.set(key, { value: fields[key].default, where: 'default' })
  const sources = ['defaults']

  const file = typeof flags.config === 'string' ? flags.config : env.SESSIONLAB_CONFIG
  if (file) {
    for (const [key, value] of Object.entries(readConfigFile(file, readFile))) {
      if (!Object.hasOwn(fields, key)) {
        throw invalid(`config file ${file}: unknown key "${key}" (known: ${keys.join(', ')})`)
      }
      raw.set(key as keyof Config, { value, where: `config file ${file}: "${key}"` })
    }
    sources.push(file)
  }
  for (const key of keys) {
    const name = envName(key)
    const value = env[name]
    if (value !== undefined) raw.set(key, { value, where: `environment ${name}` })
  }
  for (const key of keys) {
    const value = flags[fields[key].flag]
    if (value !== undefined) raw.set(key, { value, where: `--${fields[key].flag}` })
  }

  const config = {} as Record<keyof Config, unknown>
  for (const key of keys) {
    const entry = raw.get(key) as { value: unknown; where: string }
    config[key] = coerce(fields[key].kind, entry.value, entry.where)
  }
  return { config: config as unknown as Config, sources }
}

function parseFlags(argv: string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }
  for (const key of keys) options[fields[key].flag] = { type: 'string' }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw invalid(`${(err as Error).message}; see --help`)
  }
}

function readConfigFile(file: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string
  try {
    text = readFile(file)
  } catch (err) {
    throw new SessionLabError(
      'CONFIG_FILE_UNREADABLE',
      `config file ${file}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw invalid(`config file ${file}: not valid JSON (${(err as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`config file ${file}: expected a JSON object of settings`)
  }
  return parsed as Record<string, unknown>
}

function coerce(kind: Kind, value: unknown, where: string): string | number | boolean {
  switch (kind.type) {
    case 'optional-string':
      if (typeof value !== 'string')
        throw invalid(`${where}: expected a string, got ${show(value)}`)
      return value
    case 'bool':
      if (value === true || value === 'true') return true
      if (value === false || value === 'false') return false
      throw invalid(`${where}: expected true or false, got ${show(value)}`)
    case 'string':
    case 'path':
      if (typeof value !== 'string' || value.length === 0) {
        throw invalid(`${where}: expected a non-empty string, got ${show(value)}`)
      }
      return value
    case 'enum':
      if (typeof value !== 'string' || !kind.values.includes(value)) {
        throw invalid(`${where}: expected one of ${kind.values.join(', ')}, got ${show(value)}`)
      }
      return value
    case 'redis-url':
      if (
        typeof value !== 'string' ||
        !/^rediss?:\/\/[^\s]+$/.test(value) ||
        !URL.canParse(value)
      ) {
        throw invalid(`${where}: expected a redis:// or rediss:// URL, got ${show(value)}`)
      }
      return value
    case 'broker-id':
      // it names $SYS topics and Redis keys: no separators or wildcards
      if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{0,64}$/.test(value)) {
        throw invalid(`${where}: expected 1-64 of [A-Za-z0-9._-] or empty, got ${show(value)}`)
      }
      return value
    case 'port':
      return integer(value, 0, 65535, where, 'a port number 0-65535')
    case 'int':
      return integer(value, kind.min, kind.max, where, `an integer ${kind.min}-${kind.max}`)
  }
}

function integer(value: unknown, min: number, max: number, where: string, what: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(`${where}: expected ${what}, got ${show(value)}`)
  }
  return n
}

function show(value: unknown): string {
  // never echo a secret back
  if (typeof value === 'string' && value.length > 64) return `a ${value.length}-character string`
  return typeof value === 'string' ? `"${value}"` : String(JSON.stringify(value))
}

function invalid(message: string): SessionLabError {
  return new SessionLabError('CONFIG_INVALID', message)
}

function envName(key: keyof Config): string {
  return `SESSIONLAB_${fields[key].flag.toUpperCase().replaceAll('-', '_')}`
}

/** The `--help` text, generated from the field table so it cannot drift. */
export function helpText(): string {
  const lines = [
    'Usage: sessionlab [options]',
    '',
    'An MQTT 3.1.1 broker that keeps, shows and explains session state.',
    '',
    'Options (each also a key of the JSON --config file, and a SESSIONLAB_* variable):',
  ]
  for (const key of keys) {
    const f = fields[key]
    const values =
      f.kind.type === 'enum'
        ? ` <${f.kind.values.join('|')}>`
        : f.kind.type === 'bool'
          ? ' <true|false>'
          : ' <value>'
    lines.push(
      `${`  --${f.flag}${values}`.padEnd(44)}${f.help} (default: ${f.default}; key: ${key})`,
    )
  }
  lines.push(`${'  --config <file>'.padEnd(44)}JSON file of settings (flags override it)`)
  lines.push(`${'  -h, --help'.padEnd(44)}show this help`)
  return lines.join('\n')
}
