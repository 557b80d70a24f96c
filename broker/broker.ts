import { randomUUID } from 'node:crypto'
import type { Server as HttpServer, IncomingMessage } from 'node:http'
import type { WebSocketServer } from 'ws'
import {
  type Aedes,
  createAedes,
  decideWillDelays,
  onBrokerError,
  publishAsBroker,
} from './aedes/instance.ts'
import { MAX_INBOUND_QOS2 } from './aedes/safeguards.ts'
import { type Stages, stageHooks } from './aedes/stages.ts'
import type { ConnectionWriter } from './aedes/writer.ts'
import { Auth, type AuthCounts } from './auth/auth.ts'
import { authStages, guardConnection } from './auth/stages.ts'
import { SubscriptionGate } from './auth/subscriptions.ts'
import { type Clock, systemClock } from './clock.ts'
import { type ClusterNode, openCluster } from './cluster/index.ts'
import { errorMessage } from './coded-error.ts'
import type { Config } from './config.ts'
import type { AdminToken } from './http/admin-token.ts'
import type { HttpExtension } from './http/extension.ts'
import { openHttpApi } from './http/start.ts'
import { SessionTracking } from './inspector/index.ts'
import type { Sessions } from './inspector/types.ts'
import { closeServer } from './listeners/listen.ts'
import { openTcpListener } from './listeners/tcp.ts'
import { httpTlsOptions, loadTls, mqttTlsOptions } from './listeners/tls.ts'
import { openWsListener } from './listeners/ws.ts'
import { logClientEvents } from './log/client-events.ts'
import { type Logger, silentLogger } from './log/logger.ts'
import { type BrokerHistory, startHistory } from './metrics/history.ts'
import { type BrokerStats, createBrokerStats } from './metrics/stats.ts'
import { createSentCounts } from './metrics/traffic.ts'
import { operatorConsole } from './operator/index.ts'
import { Backpressure } from './policies/backpressure.ts'
import { createPolicies, type Policies } from './policies/index.ts'
import { clientIdAndKeepaliveStage } from './rules/connect-rules.ts'
import { deliveryStage } from './rules/delivery.ts'
import { guardProtocol } from './rules/malformed-packets.ts'
import { messageExpiryStage } from './rules/message-expiry.ts'
import { SessionPersistence } from './rules/persistence.ts'
import { protocolLevelStage } from './rules/protocol-level.ts'
import {
  backpressureStage,
  clearIncomingDup,
  commitBeforeAckStage,
  dropResolvedTopicAlias,
  refuseSysTopics,
} from './rules/publish.ts'
import { resumeClaimsStage } from './rules/resume-claims.ts'
import { RetainedOnce } from './rules/retained-once.ts'
import { sayWhyOnKeepaliveTimeout } from './rules/server-disconnect.ts'
import { disconnectExpiryStage, sessionEndedFence } from './rules/session-expiry.ts'
import { hideSessionMarker } from './rules/session-present.ts'
import {
  hideLiteralShares,
  refuseBadShares,
  sharedFilterOf,
  shareNamesStage,
} from './rules/share-names.ts'
import { SharedSubscriptions } from './rules/shared-subscriptions.ts'
import { hideInternalSysTopics } from './rules/sys-topics.ts'
import { takenOverElsewhere, takeoverStage } from './rules/takeover.ts'
import { topicAliasesOutStage } from './rules/topic-aliases-out.ts'
import { DelayedWills } from './rules/will-delay.ts'
import {
  publishOrphanedWills,
  publishWillsOnShutdown,
  willDiscardedOnDisconnectStage,
} from './rules/wills.ts'
import { openStore } from './store/open.ts'
import type { RedisSessionStore } from './store/redis/index.ts'
import { countRestored, type Restored } from './store/restored.ts'
import type { SessionStore } from './store/types.ts'
import { clockTimer, startSysTopics } from './sys.ts'

export type { Logger }

export interface BrokerHandle {
  aedes: Aedes
  store: SessionStore
  /**
   * Where clients connect, as bound (port 0 resolved). With a TLS
   * certificate (`--tls-cert`) also `mqtts` and `wss`, and `http` is `https://`.
   */
  urls: { mqtt: string; ws: string; http: string; mqtts?: string; wss?: string }
  /** Wills from an earlier run published at start-up. */
  orphanedWillsPublished: number
  /** What the store held at start-up; null on the memory store. */
  restored: Restored | null
  /** Every session the broker holds, online or offline; where drops and queueing are recorded. */
  sessions: Sessions
  /** The HTTP API's operator token, and where it came from. */
  adminToken: AdminToken
  /** The counts behind `/metrics`, `/healthz` and the `$SYS` topics. */
  stats: BrokerStats
  /** The last hour of metric samples and of queue depths, behind the dashboard's charts. */
  history: BrokerHistory
  /** Queue caps, QoS 0 queueing and the in-flight window: their counters and state. */
  policies: Policies
  /** Password file and ACL: what they refused, and their reload (SIGHUP). */
  auth: {
    readonly counts: Readonly<AuthCounts>
    /** Reads both files again; on error (AUTH_FILE_INVALID) the old ones stay in force. */
    reload(): void
  }
  /** Stops listening, publishes due Wills, closes every connection, flushes and closes the store. */
  close(): Promise<void>
}

/** What a broker takes from outside besides its config; tests inject a clock. */
export interface BrokerDeps {
  /** The clock of session times and expiry (not of MQTT keepalives, which are aedes'). */
  clock?: Clock
  /** Served on the HTTP API's port besides the API: the dashboard (`web/`). */
  http?: HttpExtension
}

/** Starts a SessionLab broker: the store, aedes with the session rules, and its listeners. */
export async function createBroker(
  config: Config,
  log: Logger = silentLogger,
  deps: BrokerDeps = {},
): Promise<BrokerHandle> {
  const clock = deps.clock ?? systemClock
  // before the store: a bad password, ACL or TLS file stops start-up untouched
  const auth = new Auth(config)
  const tls = loadTls(config)
  const store = await openStore(config, clock, log)
  let cluster: ClusterNode | undefined
  try {
    cluster =
      store.kind === 'redis'
        ? await openCluster({
            config,
            store: store as RedisSessionStore,
            now: () => clock.now(),
            log,
          })
        : undefined
  } catch (err) {
    await store.destroy()
    throw err
  }
  // MQTT 5 Will Delay, durable; publishes through aedes once it exists
  let aedesReady: Aedes | undefined
  const delayedWills = new DelayedWills({
    store,
    clock,
    publish: (will) =>
      publishAsBroker(aedesReady as Aedes, { ...will, payload: Buffer.from(will.payload) }),
    onPublished: (clientId, will) =>
      tracking.sessions.record(clientId, {
        type: 'will',
        at: clock.now(),
        topic: will.topic,
        qos: will.qos,
        retain: will.retain,
        bytes: Buffer.byteLength(will.payload),
      }),
    onError: (err) => log.warn(`delayed Will failed: ${errorMessage(err)}`),
  })
  const tracking = new SessionTracking({
    store,
    config,
    clock,
    warn: (m) => log.warn(m),
    cluster: cluster?.sessions,
    endWill: (clientId) => delayedWills.sessionEnded(clientId),
  })
  const policies = createPolicies({
    config,
    store,
    sink: tracking.sessions,
    now: () => clock.now(),
  })
  const gate = new SubscriptionGate({
    // a shared subscription is checked against the filter it shares (share-names.ts)
    allowed: (who, filter) => {
      const share = sharedFilterOf(filter)
      if (share) return auth.allows(who, 'subscribe', share.filter)
      return !filter.startsWith('$SessionLab/') && auth.allows(who, 'subscribe', filter)
    },
    maxSubscriptions: config.maxSubscriptions,
    maxTopicLength: config.maxTopicLength,
    onDenied: () => auth.counts.deniedSubscriptions++,
  })
  const persistence = new SessionPersistence(store, policies.persistence, (sub) => gate.kept(sub))
  const retainedOnce = new RetainedOnce()
  persistence.retainedGate = retainedOnce
  const shared = new SharedSubscriptions({
    store,
    enqueue: (clientId, packet) => persistence.queueFor(clientId, packet),
    directory: cluster?.sharedMembers,
    warn: (m) => log.warn(m),
  })
  persistence.sharedGate = shared
  const authorize = authStages({
    auth,
    gate,
    config,
    store,
    heldElsewhere: cluster?.heldElsewhere,
    sink: tracking.sessions,
    now: () => clock.now(),
  })
  // deliveries behind hold the publishers back (broker/policies/backpressure.ts)
  const backpressure = new Backpressure(config.readerStallMs)
  const delivery = deliveryStage({
    maxPendingDeliveries: config.maxPendingDeliveries,
    maxPendingBytes: config.maxPendingBytes,
    backpressure,
    // logged with its disconnect (broker/log/)
    onSlowConsumer: (client) => tracking.onSlowConsumer(client),
    wrapQoS: policies.connections.wrapQoS,
    onTooLarge: policies.connections.tooLarge,
  })
  // What happens to each packet, in order. A CONNECT's `read`s run as it
  // arrives, its `check`s once aedes assigned the ClientID (the first
  // refusal answers the CONNACK), its `accept`s when every check passed.
  const stages: Stages = {
    connect: [
      tracking.connectStage, // read: the inspector records the connection
      protocolLevelStage, // read: a level the name does not announce gets CONNACK 1 [MQTT-3.1.2-2]
      authorize.usernameAsClientId, // read: --clientid-from-username
      resumeClaimsStage, // read: a resume's queue and live traffic claim each message once
      delivery, // read: QoS capped by the granted subscriptions; slow consumers closed
      topicAliasesOutStage(config.topicAliasOut), // read: MQTT 5 topics sent by alias
      retainedOnce.connectStage, // read: a SUBSCRIBE gets a retained message live or retained, once
      shareNamesStage, // read: share names respelled for aedes, ill-formed ones refused, No Local on one closes
      willDiscardedOnDisconnectStage(persistence), // read: DISCONNECT deletes the Will first
      disconnectExpiryStage, // read: MQTT 5 DISCONNECT raising expiry from 0: 0x82 (runs before the above)
      authorize.login, // check: password, Will topic ACL, ClientID ownership, --max-connections
      clientIdAndKeepaliveStage(config), // check: zero-length and long ClientIDs, keepalive
      sessionEndedFence, // check: an MQTT 5 session of interval 0 just closed is gone first
      takeoverStage(config, (old, next) => tracking.onTakeover(old, next)), // accept
      policies.connections.stage, // accept: the session counts as connected
    ],
    publish: [
      backpressureStage(backpressure), // waits while deliveries are behind: aedes reads no more of the publisher
      authorize.publish, // topic length; a denied PUBLISH is acknowledged and dropped
      refuseSysTopics,
      clearIncomingDup,
      dropResolvedTopicAlias, // MQTT 5: the resolved alias is not routed on
      tracking.willStage, // a Will aedes publishes goes in its session's history
      messageExpiryStage(() => clock.now()), // MQTT 5: when the message expires, on the broker clock
      commitBeforeAckStage(persistence), // PUBACK/PUBREC only once committed
    ],
    subscribe: [refuseBadShares, authorize.subscribe, hideSessionMarker],
    forward: [hideLiteralShares, hideInternalSysTopics, authorize.forward, tracking.forwardStage],
  }
  const aedes = createAedes({
    id: cluster?.id ?? randomUUID(),
    ...(cluster ? { mq: cluster.mq } : {}),
    persistence,
    connectTimeout: config.connectTimeout * 1000,
    maxTopicLevels: config.maxTopicLevels,
    // MQTT 5: aedes lowers a longer request and says so in CONNACK [MQTT-3.2.2-3.2]
    sessionExpiryIntervalLimit: config.maxSessionExpiry,
    // MQTT 5: told in CONNACK; the inbound QoS 2 window (safeguards.ts) holds it, DISCONNECT 0x93 past it
    receiveMaximum: MAX_INBOUND_QOS2,
    // MQTT 5: told in CONNACK [MQTT-3.2.2-15]; enforced from the first byte (guardConnection, 0x95)
    maximumPacketSize: config.maxPacketSize,
    // MQTT 5: inbound Topic Aliases, aedes' own, told in CONNACK [MQTT-3.2.2-17]
    topicAliasMaximum: config.maxTopicAlias,
    ...stageHooks(stages),
  })
  tracking.attach(aedes)
  aedesReady = aedes
  decideWillDelays(aedes, (client, will, seconds) => {
    delayedWills.delay(client, will, seconds).catch((err: Error) => {
      log.warn(`delayed Will of ${client.id} not stored: ${errorMessage(err)}`)
    })
  })
  sayWhyOnKeepaliveTimeout(aedes) // MQTT 5: DISCONNECT 0x8D, where aedes just closes
  // one line per client event, from what the inspector records
  logClientEvents(
    { onChange: (l) => tracking.sessions.onChange(l), onRefused: (l) => tracking.onRefused(l) },
    log,
    config,
  )
  // counted by every connection's writer (broker/aedes/writer.ts)
  const sent = createSentCounts()
  const stats = createBrokerStats({
    aedes,
    sent,
    inspector: tracking.sessions,
    store,
    sysRetained: persistence.sysRetained,
    refused: auth.counts,
    backpressure: backpressure.counts,
    now: () => clock.now(),
  })
  // aedes emits persistence failures as 'error': log them rather than crash
  onBrokerError(aedes, (err) => log.error(`broker error: ${err.message}`))
  await aedes.listen()
  await retainedOnce.attach(aedes)
  await shared.attach(aedes)

  const orphanedWillsPublished = cluster
    ? await cluster.start(aedes, {
        sink: tracking.sessions,
        takenOverElsewhere(old) {
          takenOverElsewhere(old, config)
          tracking.onTakenOverElsewhere(old)
        },
        adoptDelayedWill: (will) => delayedWills.adopt(will),
      })
    : await publishOrphanedWills(aedes, store, delayedWills, clock.now())
  // before listeners open: Wills that fell due while the broker was down go first
  await delayedWills.start()
  await tracking.start()
  const restored = await countRestored(store)

  const servers: { close(): Promise<void> }[] = []
  // a publisher held back goes on as the broker closes
  servers.push({ close: async () => backpressure.close() })
  // resolved by shutdown once aedes has closed every connection (WebSocket ones are kept until then)
  let connectionsClosed!: () => void
  const closedByAedes = new Promise<void>((resolve) => {
    connectionsClosed = resolve
  })
  try {
    // malformed packets and strings close the connection (broker/rules/malformed-packets.ts)
    const overTcp = (conn: ConnectionWriter) =>
      guardConnection(guardProtocol(aedes.handle(conn)), config.maxPacketSize, gate)
    const overWs = (conn: ConnectionWriter, req: IncomingMessage) =>
      guardConnection(guardProtocol(aedes.handle(conn, req)), config.maxPacketSize, gate)
    const tcp = await openTcpListener(overTcp, sent, config.host, config.mqttPort)
    servers.push({ close: () => closeServer(tcp.server) })
    const ws = await openWsListener(overWs, sent, config.host, config.wsPort, config.wsPath)
    servers.push({ close: () => closeWs(ws.wss, ws.server, closedByAedes) })
    // with a certificate, the same two again over TLS, beside the plain ones
    let tlsUrls = {}
    if (tls) {
      const options = mqttTlsOptions(tls, config.connectTimeout)
      const mqtts = await openTcpListener(overTcp, sent, config.host, config.mqttsPort, options)
      servers.push({ close: () => closeServer(mqtts.server) })
      const { host, wssPort, wsPath } = config
      const wss = await openWsListener(overWs, sent, host, wssPort, wsPath, options)
      servers.push({ close: () => closeWs(wss.wss, wss.server, closedByAedes) })
      tlsUrls = { mqtts: mqtts.url, wss: wss.url }
    }
    const sys = startSysTopics({
      aedes,
      stats,
      intervalSeconds: config.sysInterval,
      timer: clockTimer(clock),
      now: () => clock.now(),
      node: cluster?.id,
      onError: (err) => log.warn(`$SYS update failed: ${errorMessage(err)}`),
    })
    servers.push({ close: () => sys.stop().then(() => stats.close()) })
    const history = startHistory({
      stats,
      dropped: () => policies.counters.dropped,
      store,
      inspector: tracking.sessions,
      clock,
      onError: (err) => log.warn(`metric sample failed: ${errorMessage(err)}`),
    })
    servers.push(history)
    const http = await openHttpApi({
      config,
      inspector: tracking.sessions,
      stats,
      storeKind: store.kind,
      views: store,
      log,
      extension: deps.http,
      tls: tls ? httpTlsOptions(tls) : undefined,
      sampler: history.sampler,
      queueDepth: history.queueDepth,
      // the operator's publish commits as the publish stages do, then aedes routes it
      operator: operatorConsole({
        aedes,
        persistence,
        store,
        sessions: tracking.sessions,
        limits: config,
      }),
    })
    servers.push(http)

    let closing: Promise<void> | null = null
    return {
      aedes,
      store,
      urls: { mqtt: tcp.url, ws: ws.url, http: http.url, ...tlsUrls },
      orphanedWillsPublished,
      restored,
      sessions: tracking.sessions,
      adminToken: http.adminToken,
      stats,
      history,
      policies,
      auth: { counts: auth.counts, reload: () => auth.reload() },
      close() {
        closing ??= shutdown(
          aedes,
          store,
          servers,
          tracking,
          cluster,
          connectionsClosed,
          delayedWills,
        )
        return closing
      },
    }
  } catch (err) {
    await shutdown(aedes, store, servers, tracking, cluster, connectionsClosed, delayedWills)
    throw err
  }
}

async function shutdown(
  aedes: Aedes,
  store: SessionStore,
  servers: { close(): Promise<void> }[],
  tracking: SessionTracking,
  cluster: ClusterNode | undefined,
  connectionsClosed: () => void,
  delayedWills: DelayedWills,
): Promise<void> {
  const swept = tracking.shuttingDown()
  delayedWills.stop()
  const stopped = Promise.all(servers.map((s) => s.close()))
  await swept // a running expiry check ends while aedes and the store are still open
  await publishWillsOnShutdown(
    aedes,
    (client, will) => tracking.willPublished(client, will),
    delayedWills,
  )
  await new Promise<void>((resolve) => aedes.close(() => resolve()))
  connectionsClosed()
  await stopped
  await store.flush()
  await store.destroy()
  await cluster?.close()
}

/**
 * Stops accepting at once; the open WebSockets are cut only once aedes has
 * closed their MQTT connections, so an MQTT 5 client over WebSocket gets
 * its DISCONNECT 0x8B (Server shutting down) as one over TCP does.
 */
function closeWs(
  wss: WebSocketServer,
  server: HttpServer,
  closedByAedes: Promise<void>,
): Promise<void> {
  const serverClosed = server.listening
    ? new Promise<void>((resolve) => server.close(() => resolve()))
    : Promise.resolve()
  return closedByAedes.then(
    () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => {
          serverClosed.then(() => resolve())
        })
      }),
  )
}
