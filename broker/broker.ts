import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import type { Server as HttpServer } from 'node:http'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { Aedes } from 'aedes'
import type { WebSocketServer } from 'ws'
import type { Config } from './config.ts'
import { closeServer } from './listeners/listen.ts'
import { openTcpListener } from './listeners/tcp.ts'
import { openWsListener } from './listeners/ws.ts'
import type { AedesClientInternals, AedesInternals } from './semantics/aedes-internals.ts'
import { sessionHooks } from './semantics/hooks.ts'
import { SessionPersistence } from './semantics/persistence.ts'
import { publishOrphanedWills, publishWillsOnShutdown } from './semantics/wills.ts'
import { createMemoryStore } from './store/memory.ts'
import type { SessionStore } from './store/types.ts'

export interface Logger {
  info(message: string): void
  warn(message: string): void
}

export interface BrokerHandle {
  aedes: AedesInternals
  store: SessionStore
  /** Where clients connect, as bound (port 0 resolved). */
  urls: { mqtt: string; ws: string }
  /** Wills from an earlier run published at start-up. */
  orphanedWillsPublished: number
  /** Stops listening, publishes due Wills, closes every connection, flushes and closes the store. */
  close(): Promise<void>
}

const silent: Logger = { info: () => {}, warn: () => {} }

/** Starts a SessionLab broker: the store, aedes with the session rules, and its listeners. */
export async function createBroker(config: Config, log: Logger = silent): Promise<BrokerHandle> {
  const store = await openStore(config)
  const persistence = new SessionPersistence(store)
  const hooks = sessionHooks({
    config,
    persistence,
    onSlowConsumer: (client) =>
      log.warn(`closing ${client.id}: over ${config.maxPendingDeliveries} unwritten deliveries`),
    onTakeover: () => {},
  })
  const aedes = new Aedes({
    id: randomUUID(),
    persistence,
    ...hooks,
  }) as AedesInternals
  // aedes emits persistence failures as 'error': log them rather than crash
  ;(aedes as unknown as EventEmitter).on('error', (err: Error) =>
    log.warn(`broker error: ${err.message}`),
  )
  await aedes.listen()

  const orphanedWillsPublished = await publishOrphanedWills(aedes, store)

  const servers: { close(): Promise<void> }[] = []
  try {
    const tcp = await openTcpListener(
      (socket: Socket) => aedes.handle(socket),
      config.host,
      config.mqttPort,
    )
    servers.push({ close: () => closeServer(tcp.server) })
    const ws = await openWsListener(
      (stream, req) => aedes.handle(stream, req),
      config.host,
      config.wsPort,
      config.wsPath,
    )
    servers.push({ close: () => closeWs(ws.wss, ws.server) })

    let closing: Promise<void> | null = null
    return {
      aedes,
      store,
      urls: { mqtt: tcp.url, ws: ws.url },
      orphanedWillsPublished,
      close() {
        closing ??= shutdown(aedes, store, servers)
        return closing
      },
    }
  } catch (err) {
    await shutdown(aedes, store, servers)
    throw err
  }
}

async function openStore(config: Config): Promise<SessionStore> {
  if (config.store === 'memory') return createMemoryStore()
  // loaded on demand: the memory store needs no native module
  const { openSqliteStore } = await import('./store/sqlite/index.ts')
  return openSqliteStore({ file: join(config.dataDir, 'sessionlab.db'), sync: config.sqliteSync })
}

async function shutdown(
  aedes: AedesInternals,
  store: SessionStore,
  servers: { close(): Promise<void> }[],
): Promise<void> {
  const stopped = Promise.all(servers.map((s) => s.close()))
  await publishWillsOnShutdown(aedes)
  await new Promise<void>((resolve) => aedes.close(() => resolve()))
  await stopped
  await store.flush()
  await store.destroy()
}

function closeWs(wss: WebSocketServer, server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    for (const client of wss.clients) client.terminate()
    wss.close(() => {
      if (server.listening) server.close(() => resolve())
      else resolve()
    })
  })
}

export type { AedesClientInternals }
