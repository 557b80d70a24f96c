import type { AedesOptions, Client } from 'aedes'
import { type AedesClientInternals, type Deliver, internals } from '../aedes/internals.ts'
import type { Config } from '../config.ts'
import { type ConnectRequest, refuseConnect } from './connect-rules.ts'
import { installDelivery } from './delivery.ts'
import { SESSION_MARKER_TOPIC, type SessionPersistence } from './persistence.ts'
import { beginResume } from './resume-claims.ts'

type Hooks = Required<
  Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>
>

export interface HookDeps {
  config: Pick<
    Config,
    'maxClientIdLength' | 'maxKeepalive' | 'takeoverWill' | 'maxPendingDeliveries'
  >
  persistence: SessionPersistence
  onSlowConsumer: (client: AedesClientInternals) => void
  onTakeover: (old: AedesClientInternals, next: AedesClientInternals) => void
  /** The session policies (broker/policies/): caps, QoS 0 queueing, in-flight window. */
  policies?: ConnectionPolicies
}

/** What the session policies attach to each connection. */
export interface ConnectionPolicies {
  /** Wraps the connection's QoS 1/2 delivery; called once, from `preConnect`. */
  wrapQoS(client: AedesClientInternals, deliver: Deliver): Deliver
  /** The CONNECT was accepted: until the connection ends, its session counts as connected. */
  accepted(client: AedesClientInternals): void
}

/** The aedes hooks through which SessionLab applies the session rules aedes 1.2 misses. */
export function sessionHooks(deps: HookDeps): Hooks {
  const requests = new WeakMap<Client, ConnectRequest>()

  return {
    preConnect(client, packet, done) {
      requests.set(client, {
        clientId: packet.clientId,
        clean: packet.clean !== false,
        keepalive: packet.keepalive ?? 0,
      })
      const c = internals(client)
      // see resume-claims.ts: a resumed session's queue and its live traffic
      if (packet.clean === false) beginResume(c)
      installDelivery(c, {
        maxPendingDeliveries: deps.config.maxPendingDeliveries,
        onSlowConsumer: deps.onSlowConsumer,
        wrapQoS: deps.policies?.wrapQoS,
      })
      discardWillBeforeClosing(c, deps.persistence)
      done(null, true)
    },

    // Runs after aedes assigned client.id and before it registers the client,
    // so it is the last word on whether this CONNECT is accepted.
    authenticate(client, _username, _password, done) {
      const request = requests.get(client)
      const refusal = request ? refuseConnect(request, deps.config) : null
      if (refusal) {
        done(Object.assign(new Error(refusal.reason), { returnCode: refusal.returnCode }), false)
        return
      }
      const next = internals(client)
      const old = next.broker.clients[next.id]
      if (old && old !== next) {
        // [MQTT-3.1.4-2]: aedes closes `old` next; its Will follows [MQTT-3.1.2-8]
        // unless the operator chose Mosquitto's behaviour.
        if (deps.config.takeoverWill === 'suppress') old.will = null
        deps.onTakeover(old, next)
      }
      deps.policies?.accepted(next)
      done(null, true)
    },

    authorizePublish(client, packet, done) {
      if (packet.topic.startsWith('$SYS/')) {
        done(new Error('$SYS/ topics are reserved to the broker'))
        return
      }
      if (!client || packet.cmd !== 'publish') {
        done(null)
        return
      }
      // [MQTT-3.3.1-3]: an incoming DUP flag is not propagated to subscribers
      packet.dup = false
      if (packet.qos === 0) {
        // --queue-qos0: offline persistent sessions get a copy
        const queued = deps.persistence.queueQos0(packet as never)
        if (queued) queued.then(() => done(null), done)
        else done(null)
        return
      }
      deps.persistence.commitBeforeAck(client, packet as never).then(() => done(null), done)
    },

    authorizeSubscribe(_client, sub, done) {
      done(null, sub.topic === SESSION_MARKER_TOPIC ? null : sub)
    },
  }
}

/**
 * [MQTT-3.14.4-3]: after DISCONNECT the Will is gone, also for a broker that
 * crashes a moment later. aedes closes the socket as it reads the DISCONNECT
 * (and the socket half-closes by itself when the client's FIN follows) and
 * deletes the stored Will afterwards without waiting, so a client could see
 * its connection closed while its Will is still stored, to be published
 * after a restart. Here the deletion is committed before aedes sees the packet.
 */
function discardWillBeforeClosing(client: AedesClientInternals, persistence: SessionPersistence) {
  client._parser.prependListener('packet', (packet: { cmd: string }) => {
    if (packet.cmd !== 'disconnect' || !client.will) return
    // by the connection itself: it is still live here (see SessionPersistence.delWill);
    // should this fail, aedes deletes the Will again as it closes the connection
    persistence.delWill(client).catch(() => {})
    persistence.store.commitNow()
  })
}
