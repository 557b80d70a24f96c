import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { errorMessage } from './coded-error.ts'
import {
  bool,
  brokerId,
  int,
  invalid,
  type Kind,
  oneOf,
  optionalText,
  port,
  redisUrl,
  text,
} from './config-kinds.ts'
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

interface Field<T> {
  flag: string
  kind: Kind<T>
  default: T
  help: string
}

/** Declarative table of every setting: its flag, type, default and help line. */
export const fields: { [K in keyof Config]: Field<Config[K]> } = {
  host: {
    flag: 'host',
    kind: text,
    default: '127.0.0.1',
    help: 'address every listener binds to',
  },
  mqttPort: {
    flag: 'mqtt-port',
    kind: port,
    default: 1883,
    help: 'MQTT over TCP port (0 picks a free port)',
  },
  wsPort: {
    flag: 'ws-port',
    kind: port,
    default: 8083,
    help: 'MQTT over WebSocket port (0 picks a free port)',
  },
  wsPath: { flag: 'ws-path', kind: text, default: '/mqtt', help: 'WebSocket path' },
  httpPort: {
    flag: 'http-port',
    kind: port,
    default: 8080,
    help: 'HTTP/JSON API, /healthz and /metrics port (0 picks a free port)',
  },
  store: {
    flag: 'store',
    kind: oneOf('sqlite', 'memory', 'redis'),
    default: 'sqlite',
    help: 'session store: sqlite (durable), memory, or redis (cluster mode: nodes share sessions)',
  },
  dataDir: {
    flag: 'data-dir',
    kind: text,
    default: './data',
    help: 'where the sqlite store keeps its file, and the generated admin token and cookie secret',
  },
  redisUrl: {
    flag: 'redis-url',
    kind: redisUrl,
    default: 'redis://127.0.0.1:6379',
    help: 'the Redis every node of a cluster shares (with --store redis)',
  },
  brokerId: {
    flag: 'broker-id',
    kind: brokerId,
    default: '',
    help: "this node's id in a cluster, unique per node: 1-64 of [A-Za-z0-9._-] (empty: generated)",
  },
  nodeTimeout: {
    flag: 'node-timeout',
    kind: int(1, 3600),
    default: 6,
    help: 'seconds without a heartbeat before a cluster node counts as dead and its Wills are published',
  },
  sqliteSync: {
    flag: 'sqlite-sync',
    kind: oneOf('normal', 'full'),
    default: 'normal',
    help: 'normal survives a process crash; full also survives power loss',
  },
  maxClientIdLength: {
    flag: 'max-client-id-length',
    kind: int(23, 65535),
    default: 256,
    help: 'longest ClientID accepted (1-23 of [0-9a-zA-Z] always are)',
  },
  maxKeepalive: {
    flag: 'max-keepalive',
    kind: int(0, 65535),
    default: 0,
    help: 'refuse keepalives above this (0 = no limit), with CONNACK 0x02',
  },
  takeoverWill: {
    flag: 'takeover-will',
    kind: oneOf('publish', 'suppress'),
    default: 'publish',
    help: "publish the old connection's Will on ClientID takeover (per MQTT 3.1.1) or not",
  },
  maxPendingDeliveries: {
    flag: 'max-pending-deliveries',
    kind: int(1, 10_000_000),
    default: 10_000,
    help: 'messages waiting to be written to one slow client before it is disconnected',
  },
  adminToken: {
    flag: 'admin-token',
    kind: optionalText,
    default: '',
    help: 'operator token for state-changing API calls (empty: generated once into the data dir)',
  },
  cookieSecret: {
    flag: 'cookie-secret',
    kind: optionalText,
    default: '',
    help: 'secret that signs dashboard cookies (empty: generated once into the data dir)',
  },
  queueMaxMessages: {
    flag: 'queue-max-messages',
    kind: int(0, 100_000_000),
    default: 100_000,
    help: 'queued messages kept per offline session (0 = no limit); past it one is dropped',
  },
  queueMaxBytes: {
    flag: 'queue-max-bytes',
    kind: int(0, 1_000_000_000_000),
    default: 64 * 1024 * 1024,
    help: 'payload bytes queued per session (0 = no limit); past it one is dropped',
  },
  queueDropPolicy: {
    flag: 'queue-drop-policy',
    kind: oneOf('oldest', 'newest'),
    default: 'oldest',
    help: 'which message a full queue drops: the oldest queued or the new one',
  },
  queueQos0: {
    flag: 'queue-qos0',
    kind: bool,
    default: false,
    help: 'also queue QoS 0 messages for offline persistent sessions',
  },
  maxInflight: {
    flag: 'max-inflight',
    kind: int(0, 65535),
    default: 0,
    help: 'unacknowledged QoS 1/2 messages sent to one client at a time (0 = no limit)',
  },
  sessionExpiry: {
    flag: 'session-expiry',
    kind: int(0, 10 * 365 * 24 * 3600),
    default: 0,
    help: 'seconds an offline persistent session is kept before it expires (0 = never)',
  },
  sysInterval: {
    flag: 'sys-interval',
    kind: int(0, 86_400),
    default: 10,
    help: 'seconds between $SYS/broker/... count updates (0 = off)',
  },
  historySize: {
    flag: 'history-size',
    kind: int(0, 10_000),
    default: 100,
    help: "events kept in each session's history",
  },
  idleCompaction: {
    flag: 'idle-compaction',
    kind: bool,
    default: true,
    help: 'once idle after a burst, compact the JS heap so its memory goes back to the OS (one GC pause)',
  },
  passwordFile: {
    flag: 'password-file',
    kind: optionalText,
    default: '',
    help: 'mosquitto_passwd file ($7$ PBKDF2-SHA512 or $6$ SHA512) of the users who may connect; reloaded on SIGHUP',
  },
  aclFile: {
    flag: 'acl',
    kind: optionalText,
    default: '',
    help: 'Mosquitto ACL file (user, topic, pattern with %c %u); reloaded on SIGHUP (empty: all allowed)',
  },
  allowAnonymous: {
    flag: 'allow-anonymous',
    kind: oneOf('auto', 'true', 'false'),
    default: 'auto',
    help: 'accept CONNECTs without a username (auto: only while --host is a loopback address)',
  },
  clientidFromUsername: {
    flag: 'clientid-from-username',
    kind: bool,
    default: false,
    help: "use the username as the ClientID, as Mosquitto's use_username_as_clientid",
  },
  maxPacketSize: {
    flag: 'max-packet-size',
    kind: int(16, 268_435_460),
    default: 1024 * 1024,
    help: 'largest MQTT packet accepted, in bytes; a larger one closes its connection',
  },
  maxConnections: {
    flag: 'max-connections',
    kind: int(0, 10_000_000),
    default: 10_000,
    help: 'connected clients at a time (0 = no limit); past it CONNACK 0x03',
  },
  maxSubscriptions: {
    flag: 'max-subscriptions',
    kind: int(0, 10_000_000),
    default: 1000,
    help: 'topic filters per client (0 = no limit); past it SUBACK 0x80',
  },
  maxTopicLevels: {
    flag: 'max-topic-levels',
    kind: int(1, 100),
    default: 100,
    help: 'levels of a topic or filter; a PUBLISH or SUBSCRIBE over it closes its connection',
  },
  maxTopicLength: {
    flag: 'max-topic-length',
    kind: int(1, 65_535),
    default: 4096,
    help: 'bytes of a topic or filter; a filter over it gets SUBACK 0x80, a PUBLISH closes its connection',
  },
  connectTimeout: {
    flag: 'connect-timeout',
    kind: int(1, 3600),
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

  // the value that wins for each key, and where it came from; absent: the default
  const raw = new Map<keyof Config, { value: unknown; where: string }>()
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

  const config: Partial<Config> = {}
  for (const key of keys) setting(config, key, raw)
  if (!complete(config)) throw new Error('a setting has no value, not even its default')
  return { config, sources }
}

/** Parses one setting's winning value into `config`; generic so the value keeps its key's type. */
function setting<K extends keyof Config>(
  config: Partial<Config>,
  key: K,
  raw: Map<keyof Config, { value: unknown; where: string }>,
): void {
  const { value, where } = raw.get(key) ?? { value: fields[key].default, where: 'default' }
  config[key] = fields[key].kind.parse(value, where)
}

function complete(config: Partial<Config>): config is Config {
  return keys.every((key) => config[key] !== undefined)
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
    throw invalid(`${errorMessage(err)}; see --help`)
  }
}

function readConfigFile(file: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string
  try {
    text = readFile(file)
  } catch (err) {
    throw new SessionLabError(
      'CONFIG_FILE_UNREADABLE',
      `config file ${file}: ${errorMessage(err)}`,
      { cause: err },
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw invalid(`config file ${file}: not valid JSON (${errorMessage(err)})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`config file ${file}: expected a JSON object of settings`)
  }
  return parsed as Record<string, unknown>
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
    lines.push(
      `${`  --${f.flag} ${f.kind.placeholder}`.padEnd(44)}${f.help} (default: ${f.default}; key: ${key})`,
    )
  }
  lines.push(`${'  --config <file>'.padEnd(44)}JSON file of settings (flags override it)`)
  lines.push(`${'  -h, --help'.padEnd(44)}show this help`)
  return lines.join('\n')
}
