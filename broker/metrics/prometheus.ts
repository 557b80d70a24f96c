import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { BrokerStats } from './stats.ts'

/** What `GET /metrics` serves. */
export interface MetricsScrape {
  contentType: string
  text: string
}

/**
 * The broker's Prometheus metrics, in a registry of its own (never
 * prom-client's global one, so two brokers in one process do not mix).
 * Every value is read from {@link BrokerStats} when scraped.
 */
export function createMetrics(stats: BrokerStats): () => Promise<MetricsScrape> {
  const registry = new Registry()
  const registers = [registry]

  new Gauge({
    name: 'sessionlab_connections',
    help: 'Open MQTT connections',
    registers,
    collect() {
      this.set(stats.connections())
    },
  })
  new Gauge({
    name: 'sessionlab_sessions',
    help: 'Sessions the broker holds, by state: online (connected) or offline (persistent, disconnected)',
    labelNames: ['state'],
    registers,
    async collect() {
      const totals = await stats.sessions()
      this.set({ state: 'online' }, totals.online)
      this.set({ state: 'offline' }, totals.offline)
    },
  })
  new Gauge({
    name: 'sessionlab_queued_messages',
    help: 'Messages queued for sessions and not yet sent',
    registers,
    async collect() {
      this.set((await stats.sessions()).queued)
    },
  })
  new Gauge({
    name: 'sessionlab_inflight_messages',
    help: 'Outgoing QoS 1/2 messages sent and not yet acknowledged',
    registers,
    async collect() {
      this.set((await stats.sessions()).inflight)
    },
  })
  byQos(
    'sessionlab_messages_received_total',
    'Messages accepted from clients, by QoS',
    stats.received,
  )
  byQos('sessionlab_messages_sent_total', 'PUBLISH packets sent to clients, by QoS', stats.sent)
  new Counter({
    name: 'sessionlab_bytes_total',
    help: 'MQTT bytes read from clients (direction="received") and written to them (direction="sent"); WebSocket framing and TLS not counted',
    labelNames: ['direction'],
    registers,
    collect() {
      this.reset()
      this.inc({ direction: 'received' }, stats.bytesReceived())
      this.inc({ direction: 'sent' }, stats.bytesSent())
    },
  })
  new Counter({
    name: 'sessionlab_dropped_messages_total',
    help: "Messages dropped for a session, by reason: queue-full (count cap), queue-bytes (bytes cap) expired (MQTT 5 Message Expiry Interval) or too-large (over the MQTT 5 client's Maximum Packet Size)",
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset()
      for (const [reason, n] of Object.entries(stats.dropped)) this.inc({ reason }, n)
    },
  })
  new Counter({
    name: 'sessionlab_expired_sessions_total',
    help: 'Offline persistent sessions discarded after --session-expiry',
    registers,
    collect() {
      this.reset()
      this.inc(stats.expired())
    },
  })
  new Counter({
    name: 'sessionlab_publishers_held_total',
    help: "Times the broker stopped reading from publishers because a connection's deliveries were behind",
    registers,
    collect() {
      this.reset()
      this.inc(stats.backpressure.pauses)
    },
  })
  new Counter({
    name: 'sessionlab_stalled_readers_total',
    help: 'Connections behind on their deliveries that wrote nothing for --reader-stall-ms: no longer holding publishers back',
    registers,
    collect() {
      this.reset()
      this.inc(stats.backpressure.stalls)
    },
  })

  new Counter({
    name: 'sessionlab_refused_total',
    help: 'What the ACL, the password file and the limits refused, by what: publish (dropped), subscription (SUBACK 0x80) or connect (CONNACK 0x03-0x05)',
    labelNames: ['what'],
    registers,
    collect() {
      this.reset()
      this.inc({ what: 'publish' }, stats.refused.deniedPublishes)
      this.inc({ what: 'subscription' }, stats.refused.deniedSubscriptions)
      this.inc({ what: 'connect' }, stats.refused.refusedConnects)
    },
  })

  function byQos(name: string, help: string, counts: BrokerStats['sent']) {
    new Counter({
      name,
      help,
      labelNames: ['qos'],
      registers,
      collect() {
        this.reset()
        for (const qos of [0, 1, 2] as const) this.inc({ qos: String(qos) }, counts[qos])
      },
    })
  }

  const merged = Registry.merge([registry, processRegistry()])
  return async () => ({ contentType: merged.contentType, text: await merged.metrics() })
}

let processMetrics: Registry | null = null

/**
 * prom-client's default metrics (CPU, memory, event loop lag, GC) describe
 * the process, not one broker, and install observers that cannot be removed:
 * one registry for them per process, shared by every broker in it.
 */
function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics })
  }
  return processMetrics
}
