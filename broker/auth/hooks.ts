import type { AedesOptions, Client } from 'aedes'
import { type AedesInternals, internals } from '../aedes/internals.ts'
import type { Config } from '../config.ts'
import type { SessionEventSink } from '../inspector/types.ts'
import type { SessionStore } from '../store/types.ts'
import type { Identity } from './acl.ts'
import type { Auth } from './auth.ts'
import { ownershipRefusal } from './ownership.ts'
import { FrameSizeGuard } from './packet-size.ts'
import type { SubscriptionGate } from './subscriptions.ts'

/**
 * Where a PUBLISH the ACL refuses goes: MQTT 3.1.1 cannot tell the
 * publisher, so it is acknowledged as usual and routed to this topic, which
 * nobody may subscribe to (the gate refuses `$SessionLab/` filters) and
 * which `#` never matches [MQTT-4.7.2-1]. Mosquitto also drops them silently.
 */
export const DENIED_TOPIC = '$SessionLab/denied'

type Hooks = Required<
  Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
>

export interface AuthHookDeps {
  auth: Auth
  gate: SubscriptionGate
  config: Pick<Config, 'clientidFromUsername' | 'maxConnections' | 'maxTopicLength'>
  store: Pick<SessionStore, 'getSession'>
  /**
   * In a cluster: the user of a connection another node holds for this
   * ClientID, undefined when none does. Ownership then holds cluster-wide.
   */
  heldElsewhere?: (clientId: string) => Promise<{ username: string | null } | undefined>
  /** Where refused takeovers and wipes are recorded in the session's history. */
  sink: SessionEventSink
  now: () => number
}

interface Refusal {
  returnCode: 3 | 4 | 5
  reason: string
}

/**
 * Puts authentication, the ACL, ClientID ownership and the connection
 * limits in front of the session hooks (`inner`), which keep the last word
 * on a CONNECT that passes.
 */
export function authHooks(inner: Omit<Hooks, 'authorizeForward'>, deps: AuthHookDeps): Hooks {
  const { auth, gate } = deps
  const usernames = new WeakMap<Client, string | null>()
  const identity = (client: Client): Identity => ({
    clientId: client.id,
    username: usernames.get(client) ?? null,
  })

  async function refusal(client: Client, username?: string, password?: Buffer) {
    const c = internals(client)
    if (deps.config.clientidFromUsername && username === undefined) {
      return { returnCode: 5, reason: 'a username is needed (it is the ClientID)' } as Refusal
    }
    const login = await auth.login(username, password)
    if (login !== null) {
      return {
        returnCode: login,
        reason: login === 4 ? 'bad username or password' : 'anonymous clients are refused',
      } as Refusal
    }
    const who = { clientId: c.id, username: username ?? null }
    usernames.set(client, who.username)
    if (c._will && !auth.allows(who, 'write', c._will.topic)) {
      return { returnCode: 5, reason: 'the Will topic is not writable by this user' } as Refusal
    }
    const live = c.broker.clients[c.id]
    if (auth.authenticates) {
      const elsewhere = live && live !== c ? undefined : await deps.heldElsewhere?.(c.id)
      const reason = ownershipRefusal({
        username: who.username,
        liveOwner: live && live !== c ? (usernames.get(live) ?? null) : elsewhere?.username,
        session: await deps.store.getSession(c.id),
      })
      if (reason) {
        deps.sink.record(c.id, { type: 'refused', at: deps.now(), username: who.username, reason })
        return { returnCode: 5, reason } as Refusal
      }
    }
    const broker = c.broker as AedesInternals & { connectedClients: number }
    const max = deps.config.maxConnections
    if (max > 0 && !live && broker.connectedClients >= max) {
      return { returnCode: 3, reason: `${max} clients connected (--max-connections)` } as Refusal
    }
    return null
  }

  return {
    preConnect(client, packet, done) {
      // Mosquitto's use_username_as_clientid: the ClientID sent is ignored
      if (deps.config.clientidFromUsername && packet.username !== undefined) {
        packet.clientId = packet.username
      }
      inner.preConnect(client, packet, done)
    },

    authenticate(client, username, password, done) {
      refusal(client, username, password).then(
        (refused) => {
          if (!refused) {
            inner.authenticate(client, username, password, done)
            return
          }
          auth.counts.refusedConnects++
          done(Object.assign(new Error(refused.reason), { returnCode: refused.returnCode }), false)
        },
        (err: Error) => done(Object.assign(err, { returnCode: 3 }), false),
      )
    },

    authorizePublish(client, packet, done) {
      if (client && packet.cmd === 'publish' && !packet.topic.startsWith('$SYS/')) {
        if (Buffer.byteLength(packet.topic) > deps.config.maxTopicLength) {
          done(new Error('topic longer than --max-topic-length'))
          return
        }
        if (!auth.allows(identity(client), 'write', packet.topic)) {
          auth.counts.deniedPublishes++
          packet.topic = DENIED_TOPIC
          packet.retain = false
          done(null)
          return
        }
      }
      inner.authorizePublish(client, packet, done)
    },

    authorizeSubscribe(client, sub, done) {
      if (client && !gate.grant(client, identity(client), sub)) {
        done(null, null) // SUBACK 0x80 [MQTT-3.9.3]
        return
      }
      inner.authorizeSubscribe(client, sub, done)
    },

    // Narrower denies than the subscription (`#` granted, `secret/x` denied) apply per message.
    authorizeForward(client, packet) {
      if (!auth.authorizes || !client) return packet
      return auth.allows(identity(client), 'read', packet.topic) ? packet : null
    },
  }
}

/**
 * Applies the per-connection limits from the first byte: a packet over
 * `--max-packet-size` is a protocol error that closes its connection
 * (MQTT 3.1.1 has no other answer); and the gate sees each SUBSCRIBE.
 */
export function guardConnection(
  client: Client,
  maxPacketSize: number,
  gate: SubscriptionGate,
): void {
  const parser = internals(client)._parser as ReturnType<typeof internals>['_parser'] & {
    parse(buf: Buffer): number
  }
  const guard = new FrameSizeGuard(maxPacketSize)
  const parse = parser.parse.bind(parser)
  parser.parse = (buf: Buffer) => {
    if (guard.accept(buf)) return parse(buf)
    parser.emit('error', new Error(`packet over --max-packet-size ${maxPacketSize}`))
    return 0
  }
  gate.watch(client)
}
