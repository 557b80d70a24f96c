import { expect, it } from 'vitest'
import { type Config, fields, loadConfig } from '../../broker/config.ts'

/** A readFile that knows only the given files. */
function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path]
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`)
    return text
  }
}

function configOf(
  argv: string[],
  env: Record<string, string> = {},
  read = files({}),
): Config & Record<string, unknown> {
  const loaded = loadConfig(argv, env, read)
  if ('help' in loaded) throw new Error('unexpected help')
  return loaded.config as Config & Record<string, unknown>
}

it('uses the documented defaults when nothing is given', () => {
  const config = configOf([])
  for (const key of Object.keys(fields) as (keyof Config)[]) {
    expect(config[key], key).toBe(fields[key].default)
  }
  expect(config).toMatchObject({
    host: '127.0.0.1',
    mqttPort: 1883,
    wsPort: 8083,
    wsPath: '/mqtt',
    httpPort: 8080,
    store: 'sqlite',
    dataDir: './data',
  })
})

it('lets the file override defaults, the environment the file, and flags the environment', () => {
  const read = files({
    'settings.json': JSON.stringify({
      mqttPort: 1001,
      wsPort: 1002,
      httpPort: 1003,
      store: 'memory',
    }),
  })
  const env = { SESSIONLAB_WS_PORT: '2002', SESSIONLAB_HTTP_PORT: '2003' }
  const config = configOf(['--config', 'settings.json', '--http-port', '3003'], env, read)
  expect(config.mqttPort).toBe(1001) // file over default
  expect(config.wsPort).toBe(2002) // environment over file
  expect(config.httpPort).toBe(3003) // flag over environment
  expect(config.store).toBe('memory') // file, untouched by the rest
  expect(config.host).toBe('127.0.0.1') // default, untouched by all
})

it('lists the sources it read, in order', () => {
  const loaded = loadConfig(['--config', 'a.json'], {}, files({ 'a.json': '{}' }))
  expect(loaded).toMatchObject({ sources: ['defaults', 'a.json'] })
})

it('reads the config file named by SESSIONLAB_CONFIG, and --config over it', () => {
  const read = files({
    'env.json': JSON.stringify({ mqttPort: 1111 }),
    'flag.json': JSON.stringify({ mqttPort: 2222 }),
  })
  expect(configOf([], { SESSIONLAB_CONFIG: 'env.json' }, read).mqttPort).toBe(1111)
  expect(
    configOf(['--config', 'flag.json'], { SESSIONLAB_CONFIG: 'env.json' }, read).mqttPort,
  ).toBe(2222)
})

it('maps every flag to a SESSIONLAB_ variable of the same name', () => {
  const env = {
    SESSIONLAB_HOST: '0.0.0.0',
    SESSIONLAB_MQTT_PORT: '1',
    SESSIONLAB_WS_PORT: '2',
    SESSIONLAB_WS_PATH: '/ws',
    SESSIONLAB_HTTP_PORT: '3',
    SESSIONLAB_MQTTS_PORT: '4',
    SESSIONLAB_WSS_PORT: '5',
    SESSIONLAB_TLS_CERT: '/etc/sessionlab/server.pem',
    SESSIONLAB_TLS_KEY: '/etc/sessionlab/server.key',
    SESSIONLAB_TLS_CA: '/etc/sessionlab/ca.pem',
    SESSIONLAB_TLS_REQUIRE_CLIENT_CERT: 'true',
    SESSIONLAB_STORE: 'memory',
    SESSIONLAB_DATA_DIR: '/var/lib/sessionlab',
    SESSIONLAB_REDIS_URL: 'redis://redis.internal:6380/2',
    SESSIONLAB_BROKER_ID: 'node-7',
    SESSIONLAB_NODE_TIMEOUT: '19',
    SESSIONLAB_SQLITE_SYNC: 'full',
    SESSIONLAB_MAX_CLIENT_ID_LENGTH: '64',
    SESSIONLAB_MAX_KEEPALIVE: '600',
    SESSIONLAB_TAKEOVER_WILL: 'suppress',
    SESSIONLAB_MAX_PENDING_DELIVERIES: '5',
    SESSIONLAB_MAX_PENDING_BYTES: '6',
    SESSIONLAB_READER_STALL_MS: '70',
    SESSIONLAB_ADMIN_TOKEN: 'secret',
    SESSIONLAB_COOKIE_SECRET: 'cookie',
    SESSIONLAB_QUEUE_MAX_MESSAGES: '7',
    SESSIONLAB_QUEUE_MAX_BYTES: '8',
    SESSIONLAB_QUEUE_DROP_POLICY: 'newest',
    SESSIONLAB_QUEUE_QOS0: 'true',
    SESSIONLAB_MAX_INFLIGHT: '9',
    SESSIONLAB_SESSION_EXPIRY: '10',
    SESSIONLAB_MAX_SESSION_EXPIRY: '22',
    SESSIONLAB_VIEW_MAX_AGE: '23',
    SESSIONLAB_MAX_TOPIC_ALIAS: '24',
    SESSIONLAB_TOPIC_ALIAS_OUT: 'false',
    SESSIONLAB_SYS_INTERVAL: '11',
    SESSIONLAB_HISTORY_SIZE: '12',
    SESSIONLAB_ENDED_SESSIONS: '20',
    SESSIONLAB_ENDED_SESSION_TTL: '21',
    SESSIONLAB_IDLE_COMPACTION: 'false',
    SESSIONLAB_PASSWORD_FILE: '/etc/sessionlab/passwd',
    SESSIONLAB_ACL: '/etc/sessionlab/acl',
    SESSIONLAB_ALLOW_ANONYMOUS: 'false',
    SESSIONLAB_CLIENTID_FROM_USERNAME: 'true',
    SESSIONLAB_MAX_PACKET_SIZE: '16',
    SESSIONLAB_MAX_CONNECTIONS: '14',
    SESSIONLAB_MAX_SUBSCRIPTIONS: '15',
    SESSIONLAB_MAX_TOPIC_LEVELS: '16',
    SESSIONLAB_MAX_TOPIC_LENGTH: '17',
    SESSIONLAB_CONNECT_TIMEOUT: '18',
    SESSIONLAB_LOG_LEVEL: 'debug',
    SESSIONLAB_LOG_FORMAT: 'json',
  }
  expect(configOf([], env)).toEqual({
    host: '0.0.0.0',
    mqttPort: 1,
    wsPort: 2,
    wsPath: '/ws',
    httpPort: 3,
    mqttsPort: 4,
    wssPort: 5,
    tlsCert: '/etc/sessionlab/server.pem',
    tlsKey: '/etc/sessionlab/server.key',
    tlsCa: '/etc/sessionlab/ca.pem',
    tlsRequireClientCert: true,
    store: 'memory',
    dataDir: '/var/lib/sessionlab',
    redisUrl: 'redis://redis.internal:6380/2',
    brokerId: 'node-7',
    nodeTimeout: 19,
    sqliteSync: 'full',
    maxClientIdLength: 64,
    maxKeepalive: 600,
    takeoverWill: 'suppress',
    maxPendingDeliveries: 5,
    maxPendingBytes: 6,
    readerStallMs: 70,
    adminToken: 'secret',
    cookieSecret: 'cookie',
    queueMaxMessages: 7,
    queueMaxBytes: 8,
    queueDropPolicy: 'newest',
    queueQos0: true,
    maxInflight: 9,
    sessionExpiry: 10,
    maxSessionExpiry: 22,
    viewMaxAge: 23,
    maxTopicAlias: 24,
    topicAliasOut: false,
    sysInterval: 11,
    historySize: 12,
    endedSessions: 20,
    endedSessionTtl: 21,
    idleCompaction: false,
    passwordFile: '/etc/sessionlab/passwd',
    aclFile: '/etc/sessionlab/acl',
    allowAnonymous: 'false',
    clientidFromUsername: true,
    maxPacketSize: 16,
    maxConnections: 14,
    maxSubscriptions: 15,
    maxTopicLevels: 16,
    maxTopicLength: 17,
    connectTimeout: 18,
    logLevel: 'debug',
    logFormat: 'json',
  })
})

it('accepts numbers in the file as JSON numbers or as strings', () => {
  const read = files({ 'n.json': JSON.stringify({ mqttPort: 1884, wsPort: '8084' }) })
  expect(configOf(['--config', 'n.json'], {}, read)).toMatchObject({ mqttPort: 1884, wsPort: 8084 })
})

it('ignores variables outside the SESSIONLAB_ names', () => {
  expect(configOf([], { MQTT_PORT: '9', sessionlab_mqtt_port: '9' }).mqttPort).toBe(1883)
})
