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
import { isSessionLabError, SessionLabError } from './errors.ts'
import { nearest } from './nearest.ts'
import { version } from './version.ts'

/** The one typed configuration of a SessionLab broker. Nothing below it reads `process.env`. */
export interface Config {
  host: string
  mqttPort: number
  wsPort: number
  wsPath: string
  httpPort: number
  mqttsPort: number
  wssPort: number
  tlsCert: string
  tlsKey: string
  tlsCa: string
  tlsRequireClientCert: boolean
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
  maxPendingBytes: number
  readerStallMs: number
  adminToken: string
  cookieSecret: string
  viewMaxAge: number
  queueMaxMessages: number
  queueMaxBytes: number
  queueDropPolicy: 'oldest' | 'newest'
  queueQos0: boolean
  maxInflight: number
  sessionExpiry: number
  maxSessionExpiry: number
  maxTopicAlias: number
  topicAliasOut: boolean
  sysInterval: number
  historySize: number
  endedSessions: number
  endedSessionTtl: number
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
  logLevel: 'error' | 'warn' | 'info' | 'debug'
  logFormat: 'text' | 'json'
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
    help: 'HTTP/JSON API, /healthz and /metrics port, HTTPS with --tls-cert (0 picks a free port)',
  },
  mqttsPort: {
    flag: 'mqtts-port',
    kind: port,
    default: 8883,
    help: 'MQTT over TLS port, with --tls-cert (0 picks a free port)',
  },
  wssPort: {
    flag: 'wss-port',
    kind: port,
    default: 8084,
    help: 'MQTT over WebSocket over TLS port, with --tls-cert; same --ws-path (0 picks a free port)',
  },
  tlsCert: {
    flag: 'tls-cert',
    kind: optionalText,
    default: '',
    help: 'PEM certificate (chain) of the server; with --tls-key it opens mqtts and wss and makes the HTTP port HTTPS (empty: no TLS)',
  },
  tlsKey: {
    flag: 'tls-key',
    kind: optionalText,
    default: '',
    help: 'PEM private key of --tls-cert (not encrypted)',
  },
  tlsCa: {
    flag: 'tls-ca',
    kind: optionalText,
    default: '',
    help: 'PEM CA certificate(s) that client certificates must be signed by (with --tls-require-client-cert)',
  },
  tlsRequireClientCert: {
    flag: 'tls-require-client-cert',
    kind: bool,
    default: false,
    help: 'refuse MQTT clients (mqtts, wss) without a certificate signed by --tls-ca, at the TLS handshake',
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
    help: 'MQTT 3.1.1: refuse keepalives above this (0 = no limit) with CONNACK 0x02; MQTT 5: impose it (Server Keep Alive)',
  },
  takeoverWill: {
    flag: 'takeover-will',
    kind: oneOf('publish', 'suppress'),
    default: 'publish',
    help: "publish the old connection's Will on ClientID takeover (per MQTT 3.1.1) or not",
  },
  maxPendingDeliveries: {
    flag: 'max-pending-deliveries',
    kind: int(0, 10_000_000),
    default: 0,
    help: 'messages waiting to be written to one client that stopped reading before it is disconnected (0 = no limit; --max-pending-bytes bounds it)',
  },
  maxPendingBytes: {
    flag: 'max-pending-bytes',
    kind: int(0, 1_000_000_000_000),
    default: 16 * 1024 * 1024,
    help: 'bytes waiting to be written to one client that stopped reading before it is disconnected, its session kept (0 = no limit)',
  },
  readerStallMs: {
    flag: 'reader-stall-ms',
    kind: int(10, 600_000),
    default: 1000,
    help: 'milliseconds a client behind on its deliveries may write nothing before it counts as stopped: publishers are no longer held back for it',
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
  viewMaxAge: {
    flag: 'view-max-age',
    // browsers cap a cookie's Max-Age at 400 days
    kind: int(1, 400 * 24 * 3600),
    default: 7 * 24 * 3600,
    help: "seconds a persistent dashboard view lives after its last visit: its cookie's Max-Age",
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
    help: 'seconds an offline persistent MQTT 3.1.1 session is kept before it expires (0 = never)',
  },
  maxSessionExpiry: {
    flag: 'max-session-expiry',
    kind: int(0, 0xffffffff),
    default: 0,
    help: 'MQTT 5: the longest Session Expiry Interval granted, in seconds; a longer request is lowered and told in CONNACK (0 = no limit)',
  },
  maxTopicAlias: {
    flag: 'max-topic-alias',
    kind: int(0, 65535),
    default: 10,
    help: "MQTT 5: the Topic Aliases a client may use in its PUBLISHes, told in CONNACK as Topic Alias Maximum (Mosquitto's max_topic_alias; 0 = none)",
  },
  topicAliasOut: {
    flag: 'topic-alias-out',
    kind: bool,
    default: true,
    help: 'MQTT 5: give Topic Aliases to the topics sent to a client, up to the Topic Alias Maximum its CONNECT set (false: every topic in full)',
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
  endedSessions: {
    flag: 'ended-sessions',
    kind: int(0, 100_000),
    default: 1000,
    help: 'clean sessions kept visible (state ended, with why they ended) after they end (0 = none)',
  },
  endedSessionTtl: {
    flag: 'ended-session-ttl',
    kind: int(1, 30 * 24 * 3600),
    default: 3600,
    help: 'seconds an ended clean session stays visible',
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
    help: 'largest MQTT packet accepted, in bytes (told to MQTT 5 clients in CONNACK); a larger one closes its connection',
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
  logLevel: {
    flag: 'log-level',
    kind: oneOf('error', 'warn', 'info', 'debug'),
    default: 'info',
    help: 'least severe log lines written: error, warn, info (client events) or debug (also subscriptions and messages)',
  },
  logFormat: {
    flag: 'log-format',
    kind: oneOf('text', 'json'),
    default: 'text',
    help: 'log lines as text (one human line each) or json (one JSON object each)',
  },
}

const keys = Object.keys(fields) as (keyof Config)[]

/**
 * What {@link loadConfig} found. `help`: text to print instead of starting
 * (`--help`, `--version`). Otherwise the config, where it came from, and
 * warnings to print before starting (unknown `SESSIONLAB_*` variables).
 */
export type LoadResult =
  | { help: string }
  | { config: Config; sources: string[]; warnings: string[] }

/**
 * Builds the configuration from defaults < config file < environment < flags.
 * Throws `CONFIG_INVALID` naming every flag, key or variable at fault, one
 * line each, so that a file with three mistakes takes one run to fix, not three.
 */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined> = {},
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): LoadResult {
  const problems: string[] = []
  const flags = parseFlags(argv, problems)
  if (flags.help === true) return { help: helpText() }
  if (flags.version === true) return { help: `sessionlab ${version}` }

  // the value that wins for each key, and where it came from; absent: the default
  const raw = new Map<keyof Config, { value: unknown; where: string }>()
  const sources = ['defaults']

  const file = typeof flags.config === 'string' ? flags.config : env.SESSIONLAB_CONFIG
  if (file) {
    for (const [key, value] of Object.entries(readConfigFile(file, readFile, problems))) {
      if (Object.hasOwn(fields, key)) {
        raw.set(key as keyof Config, { value, where: `config file ${file}: "${key}"` })
      } else {
        const hint = didYouMean(key, keys, (k) => `"${k}"`)
        problems.push(
          `config file ${file}: unknown key "${key}"${hint || ' (the keys are the names --help shows after "key:")'}`,
        )
      }
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
  for (const key of keys) {
    try {
      setting(config, key, raw)
    } catch (err) {
      if (!isSessionLabError(err) || err.code !== 'CONFIG_INVALID') throw err
      problems.push(err.message)
    }
  }
  if (problems.length === 1) throw invalid(problems[0])
  if (problems.length > 1) {
    const lines = problems.map((p) => `  ${p}`)
    throw invalid(`the configuration has ${problems.length} problems\n${lines.join('\n')}`)
  }
  if (!complete(config)) throw new Error('a setting has no value, not even its default')
  return { config, sources, warnings: unknownVariables(env) }
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

interface FlagOption {
  type: 'string' | 'boolean'
  short?: string
}

/** The flags besides the settings'. */
const commandFlags: Record<string, FlagOption> = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
}

/**
 * The flags given, by name; a flag that is unknown, lacks its value or has
 * one it must not is added to `problems` and left out. parseArgs' strict mode
 * stops at the first such flag: its tokens are checked here instead, so every
 * mistake is reported at once, each with a "did you mean" where one is near.
 */
function parseFlags(argv: string[], problems: string[]): Record<string, string | boolean> {
  const options: Record<string, FlagOption> = { ...commandFlags }
  for (const key of keys) options[fields[key].flag] = { type: 'string' }
  const { tokens } = parseArgs({
    args: argv,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const flags: Record<string, string | boolean> = {}
  // an unknown `--flag value`: the value is part of that one mistake, not a second one
  let valueOfUnknown = -1
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional') {
      if (token.index !== valueOfUnknown) problems.push(unexpectedArgument(token.value))
      continue
    }
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined
    if (option === undefined) {
      problems.push(unknownFlag(token.rawName, options))
      if (token.value === undefined) valueOfUnknown = token.index + 1
    } else if (option.type === 'boolean') {
      if (token.value === undefined) flags[token.name] = true
      else problems.push(`${token.rawName}: takes no value, got "${token.value}"`)
    } else if (token.value === undefined) {
      problems.push(`${token.rawName}: needs a value, as ${token.rawName} <value>`)
    } else if (!token.inlineValue && token.value.startsWith('-')) {
      // as parseArgs' strict mode: most likely the value was forgotten and this is the next flag
      problems.push(
        `${token.rawName}: needs a value, got "${token.value}" (write ${token.rawName}=${token.value} if that is the value)`,
      )
    } else {
      flags[token.name] = token.value
    }
  }
  return flags
}

function unknownFlag(rawName: string, options: Record<string, FlagOption>): string {
  const long = rawName.startsWith('--')
  const known = long
    ? Object.keys(options)
    : Object.values(options).flatMap((o) => (o.short ? [o.short] : []))
  const hint = didYouMean(rawName.replace(/^--?/, ''), known, (k) => `${long ? '--' : '-'}${k}`)
  return `${rawName}: unknown option${hint || ' (see --help)'}`
}

/** The commands bin/sessionlab.js hands to clients/ instead of starting the broker. */
const clientCommands = ['scenario', 'sim']

function unexpectedArgument(value: string): string {
  const hint = didYouMean(value, clientCommands, (c) => `sessionlab ${c}`)
  return `"${value}": unexpected argument${hint || ` (the broker takes only --options; the commands are ${clientCommands.join(' and ')})`}`
}

/** `; did you mean X?` for the known name nearest `name`, or '' when none is near. */
function didYouMean(name: string, known: Iterable<string>, show: (k: string) => string): string {
  const near = nearest(name, known)
  return near === null ? '' : `; did you mean ${show(near)}?`
}

/**
 * A warning for each `SESSIONLAB_*` variable that names no setting: a
 * mistyped one would otherwise be ignored without a word. Only warned: other
 * tools may use the prefix too, and a broker should not refuse to start over them.
 */
function unknownVariables(env: Record<string, string | undefined>): string[] {
  const prefix = 'SESSIONLAB_'
  const known = new Set([...keys.map(envName), `${prefix}CONFIG`])
  const suffixes = [...known].map((name) => name.slice(prefix.length))
  return Object.keys(env)
    .filter((name) => name.startsWith(prefix) && !known.has(name) && env[name] !== undefined)
    .sort()
    .map((name) => {
      const hint = didYouMean(name.slice(prefix.length), suffixes, (s) => `${prefix}${s}`)
      return `${name} is not a SessionLab setting and is ignored${hint}`
    })
}

/** The file's settings; one that is not a JSON object adds to `problems` and gives none. */
function readConfigFile(
  file: string,
  readFile: (path: string) => string,
  problems: string[],
): Record<string, unknown> {
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
    problems.push(`config file ${file}: not valid JSON (${errorMessage(err)})`)
    return {}
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`config file ${file}: expected a JSON object of settings`)
    return {}
  }
  return parsed as Record<string, unknown>
}

function envName(key: keyof Config): string {
  return `SESSIONLAB_${fields[key].flag.toUpperCase().replaceAll('-', '_')}`
}

/** The `--help` text, generated from the field table so it cannot drift. */
export function helpText(): string {
  const lines = [
    'Usage: sessionlab [options]                  start the broker',
    '       sessionlab scenario run [options]     run session scenarios against a broker',
    '       sessionlab sim [options]              simulate a fleet of devices',
    '',
    'An MQTT 3.1.1 broker that keeps, shows and explains session state.',
    '',
    'Commands (each has its own --help):',
    `${'  scenario'.padEnd(44)}run the session-rule scenarios against any MQTT broker (sessionlab scenario --help)`,
    `${'  sim'.padEnd(44)}simulate devices going on and offline, and what each session choice loses (sessionlab sim --help)`,
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
  lines.push(`${'  -V, --version'.padEnd(44)}print the version (sessionlab ${version})`)
  return lines.join('\n')
}
