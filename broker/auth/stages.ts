import {
  brokerOf,
  type Client,
  guardIncomingBytes,
  otherHolderOf,
  requestedWillOf,
} from '../aedes/connection.ts'
import type {
  ConnectStage,
  ForwardStage,
  PublishStage,
  Refusal,
  SubscribeStage,
} from '../aedes/stages.ts'
import type { Config } from '../config.ts'
import type { SessionEventSink } from '../inspector/types.ts'
import { packetTooLarge } from '../rules/server-disconnect.ts'
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

/** The stages of authentication, the ACL, ClientID ownership and the connection limits. */
export interface AuthStages {
  /** Mosquitto's use_username_as_clientid: the ClientID sent is ignored. */
  usernameAsClientId: ConnectStage
  /** Login, the Will topic's ACL, ClientID ownership and `--max-connections`. */
  login: ConnectStage
  /** `--max-topic-length` and the ACL's write rules. */
  publish: PublishStage
  /** The subscription gate: ACL read rules and the per-client limits. */
  subscribe: SubscribeStage
  /** Narrower denies than the subscription (`#` granted, `secret/x` denied) apply per message. */
  forward: ForwardStage
}

export function authStages(deps: AuthHookDeps): AuthStages {
  const { auth, gate } = deps
  const usernames = new WeakMap<Client, string | null>()
  const identity = (client: Client): Identity => ({
    clientId: client.id,
    username: usernames.get(client) ?? null,
  })

  async function refusal(client: Client, username?: string, password?: Buffer) {
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
    const who = { clientId: client.id, username: username ?? null }
    usernames.set(client, who.username)
    const will = requestedWillOf(client)
    if (will && !auth.allows(who, 'write', will.topic)) {
      return { returnCode: 5, reason: 'the Will topic is not writable by this user' } as Refusal
    }
    const live = otherHolderOf(client)
    if (auth.authenticates) {
      const elsewhere = live ? undefined : await deps.heldElsewhere?.(client.id)
      const reason = ownershipRefusal({
        username: who.username,
        liveOwner: live ? (usernames.get(live) ?? null) : elsewhere?.username,
        session: await deps.store.getSession(client.id),
      })
      if (reason) {
        deps.sink.record(client.id, {
          type: 'refused',
          at: deps.now(),
          username: who.username,
          reason,
        })
        return { returnCode: 5, reason } as Refusal
      }
    }
    const max = deps.config.maxConnections
    // a takeover always passes: it does not add a connection
    if (max > 0 && !live && brokerOf(client).connectedClients >= max) {
      return { returnCode: 3, reason: `${max} clients connected (--max-connections)` } as Refusal
    }
    return null
  }

  return {
    usernameAsClientId: {
      read(_client, packet) {
        if (deps.config.clientidFromUsername && packet.username !== undefined) {
          packet.clientId = packet.username
        }
      },
    },

    login: {
      async check(client, { username, password }) {
        const refused = await refusal(client, username, password)
        if (refused) auth.counts.refusedConnects++
        return refused
      },
    },

    publish(client, packet) {
      if (!client || packet.cmd !== 'publish' || packet.topic.startsWith('$SYS/')) return 'pass'
      if (Buffer.byteLength(packet.topic) > deps.config.maxTopicLength) {
        throw new Error('topic longer than --max-topic-length')
      }
      if (auth.allows(identity(client), 'write', packet.topic)) return 'pass'
      auth.counts.deniedPublishes++
      packet.topic = DENIED_TOPIC
      packet.retain = false
      return 'accept'
    },

    subscribe(client, sub) {
      // SUBACK 0x80 [MQTT-3.9.3]
      return gate.grant(client, identity(client), sub) ? sub : null
    },

    forward(client, packet) {
      if (!auth.authorizes) return packet
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
  const guard = new FrameSizeGuard(maxPacketSize)
  guardIncomingBytes(
    client,
    (chunk) => {
      if (guard.accept(chunk)) return true
      packetTooLarge(client) // MQTT 5: DISCONNECT 0x95 first
      return false
    },
    `packet over --max-packet-size ${maxPacketSize}`,
  )
  gate.watch(client)
}
