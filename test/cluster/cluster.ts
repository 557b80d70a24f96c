import { Redis } from 'ioredis'
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt'
import { onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { type ChildBroker, freePortArgs, startChildBroker } from '../helpers/child-broker.ts'

export const ADMIN_TOKEN = 'cluster-test-token'

/** One SessionLab node of a test's cluster, running as its own process. */
export interface Node extends ChildBroker {
  id: string
  httpUrl: string
}

/**
 * Starts `bin/sessionlab.js` as node `id` of the cluster on `redisUrl`,
 * every port picked free, a 1 s node timeout so a killed node is found dead
 * quickly. Killed when the test ends.
 */
export async function startNode(redisUrl: string, id: string, extra: string[] = []): Promise<Node> {
  const broker = await startChildBroker([
    '--store',
    'redis',
    '--redis-url',
    redisUrl,
    '--broker-id',
    id,
    '--node-timeout',
    '1',
    ...freePortArgs(tempDir('sessionlab-node-')),
    '--admin-token',
    ADMIN_TOKEN,
    ...extra,
  ])
  const http = await broker.printed(/HTTP API\s+(http:\S+)\n/)
  return { ...broker, id, httpUrl: http[1] }
}

export interface Received {
  topic: string
  payload: string
  qos: number
  dup: boolean
}

/** An mqtt.js client that records every message from the first packet on. */
export interface TestClient {
  mqtt: MqttClient
  /** CONNACK's session-present flag. */
  sessionPresent: boolean
  /** Every message received so far. */
  received: Received[]
  /** Resolves once `count` messages have been received in all; the first `count`. */
  receive(count: number): Promise<Received[]>
  /** Resolves when the connection closes. */
  closed: Promise<void>
}

/** Connects an mqtt.js client (no reconnect); ended when the test ends. */
export function client(url: string, options: IClientOptions): Promise<TestClient> {
  const c = connect(url, { reconnectPeriod: 0, protocolVersion: 4, ...options })
  onTestFinished(() => {
    c.end(true)
  })
  const received: Received[] = []
  const waiters: { count: number; resolve: (r: Received[]) => void }[] = []
  // listening before CONNACK: queued messages can follow it in the same read
  c.on('message', (topic, payload, packet) => {
    received.push({ topic, payload: payload.toString(), qos: packet.qos, dup: packet.dup })
    for (const w of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(received.slice(0, w.count))
    }
  })
  const closed = new Promise<void>((resolve) => c.once('close', () => resolve()))
  return new Promise((resolve, reject) => {
    c.once('connect', (connack) =>
      resolve({
        mqtt: c,
        sessionPresent: connack.sessionPresent,
        received,
        closed,
        receive: (count) =>
          received.length >= count
            ? Promise.resolve(received.slice(0, count))
            : new Promise((r) => waiters.push({ count, resolve: r })),
      }),
    )
    c.once('error', reject)
    closed.then(() => reject(new Error(`connection to ${url} closed before CONNACK`)))
  })
}

/** Creates a persistent session on `url` subscribed to `topic` at QoS 1, and leaves it offline. */
export async function offlineSession(
  url: string,
  clientId: string,
  topic: string,
  options: IClientOptions = {},
): Promise<void> {
  const c = await connectAsync(url, { clientId, clean: false, reconnectPeriod: 0, ...options })
  await c.subscribeAsync(topic, { qos: 1 })
  await c.endAsync()
}

/** Publishes `count` QoS 1 messages `0..count-1` to `topic`, each acknowledged. */
export async function publishMany(url: string, topic: string, count: number): Promise<void> {
  const c = await connectAsync(url, {
    clientId: `pub-${topic.replaceAll('/', '-')}`,
    reconnectPeriod: 0,
  })
  const acks: Promise<unknown>[] = []
  for (let i = 0; i < count; i++) acks.push(c.publishAsync(topic, String(i), { qos: 1 }))
  await Promise.all(acks)
  await c.endAsync()
}

/** A Redis connection for looking at the cluster's keys, closed when the test ends. */
export function redisOf(url: string): Redis {
  const redis = new Redis(url)
  onTestFinished(async () => {
    await redis.quit()
  })
  return redis
}

/** GET (or another method) on a node's HTTP API with the operator token; the parsed JSON body. */
export async function api(
  node: Node,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${node.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

/**
 * Polls a state the system exposes only by being read (Redis keys, a node's
 * heartbeat) until it holds; fails after `timeoutMs`. Events are awaited
 * directly everywhere else.
 */
export async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
