import type {
  AedesOptions,
  AedesPublishPacket,
  Client,
  ConnectPacket,
  PublishPacket,
  Subscription,
} from 'aedes'
import mqtt from 'mqtt-packet'
import { sendServerDisconnect } from './connection.ts'
import { connackReasonCode, ReasonCode } from './reason-codes.ts'
import { inboundQos2Refusal } from './safeguards.ts'

/**
 * How SessionLab's rules meet aedes' hooks: each hook is a list of stages run
 * in order, and this module is the one place that adapts aedes' callbacks to
 * them. broker/broker.ts lists the stages, so the path of a CONNECT, a
 * PUBLISH, a SUBSCRIBE and a forwarded message reads in one place.
 */

export type { ConnectPacket, PublishPacket, Subscription }

/** A CONNECT refused with a CONNACK return code [MQTT-3.2.2-5]. */
export interface Refusal {
  returnCode: 1 | 2 | 3 | 4 | 5
  reason: string
}

export interface Login {
  username: string | undefined
  password: Buffer | undefined
}

/** One step of a CONNECT. */
export interface ConnectStage {
  /** Before aedes handles the CONNECT (aedes' `preConnect`); may change the packet. */
  read?(client: Client, packet: ConnectPacket): void
  /**
   * After the `read`s, before aedes' own checks of the CONNECT: for a refusal
   * aedes 2 would otherwise make itself, before the `check`s and without
   * saying why (a zero-length ClientID with CleanSession=0).
   */
  refuse?(client: Client, packet: ConnectPacket): Refusal | null
  /**
   * After aedes assigned the ClientID, before it registers the connection
   * (aedes' `authenticate`): the first refusal ends the CONNECT.
   */
  check?(client: Client, login: Login): Refusal | null | Promise<Refusal | null>
  /** Every check passed: aedes registers the connection next (and closes a taken-over one). */
  accept?(client: Client): void
}

/**
 * One step of an incoming PUBLISH before aedes routes it (aedes'
 * `authorizePublish`, also for Wills). `'pass'` goes on to the next stage,
 * `'accept'` routes the packet as it now is without the later stages; a
 * thrown or rejected error refuses it (aedes then closes the connection).
 */
export type PublishStage = (
  client: Client | null,
  packet: PublishPacket,
) => 'pass' | 'accept' | Promise<'pass' | 'accept'>

/** One step of a SUBSCRIBE, per filter: the subscription, or null for SUBACK 0x80 [MQTT-3.9.3]. */
export type SubscribeStage = (client: Client, sub: Subscription) => Subscription | null

/** One step before a PUBLISH is written to a client: the packet to write, or null to skip it. */
export type ForwardStage = (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null

export interface Stages {
  connect: ConnectStage[]
  publish: PublishStage[]
  subscribe: SubscribeStage[]
  forward: ForwardStage[]
}

type Hooks = Required<
  Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
>

/** aedes' hooks running the stages. */
export function stageHooks(stages: Stages): Hooks {
  const { connect, publish, subscribe, forward } = stages
  const checks = connect.filter((s) => s.check)
  return {
    preConnect(client, packet, done) {
      for (const stage of connect) stage.read?.(client, packet)
      const refusal = firstEarlyRefusal(client, packet)
      if (refusal) {
        refuseBeforeConnect(client, packet.protocolVersion, refusal, done)
        return
      }
      done(null, true)
    },

    authenticate(client, username, password, done) {
      runChecks(client, { username, password }).then(
        (refusal) => {
          if (refusal) {
            done(
              Object.assign(new Error(refusal.reason), { returnCode: refusal.returnCode }),
              false,
            )
            return
          }
          for (const stage of connect) stage.accept?.(client)
          done(null, true)
        },
        // a check that failed (a store error, say): "server unavailable" [MQTT-3.2.2-5]
        (err: Error) => done(Object.assign(err, { returnCode: 3 as const }), false),
      )
    },

    authorizePublish(client, packet, done) {
      // aedes 2.0.0-beta.1 lost 1.2.0's inbound QoS 2 window (broker/aedes/safeguards.ts)
      const overWindow =
        client && packet.qos === 2 && !client.closed
          ? inboundQos2Refusal(client, packet.messageId)
          : null
      if (overWindow) {
        // MQTT 5: the client sent more than the Receive Maximum CONNACK told it [MQTT-3.3.4-8]
        if (client) sendServerDisconnect(client, ReasonCode.receiveMaximumExceeded)
        done(overWindow)
        return
      }
      let pending: Promise<void> | undefined
      try {
        pending = runPublish(client, packet, 0)
      } catch (err) {
        done(err as Error)
        return
      }
      if (pending) pending.then(() => done(null), done)
      else done(null)
    },

    authorizeSubscribe(client, sub, done) {
      let granted: Subscription | null = sub
      for (let i = 0; granted && i < subscribe.length; i++) granted = subscribe[i](client, granted)
      done(null, granted)
    },

    authorizeForward(client, packet) {
      let forwarded: AedesPublishPacket | null = packet
      for (let i = 0; forwarded && i < forward.length; i++)
        forwarded = forward[i](client, forwarded)
      return forwarded
    },
  }

  function firstEarlyRefusal(client: Client, packet: ConnectPacket): Refusal | null {
    for (const stage of connect) {
      const refusal = stage.refuse?.(client, packet)
      if (refusal) return refusal
    }
    return null
  }

  /**
   * The refusing CONNACK and close, before aedes reads the CONNECT, as aedes
   * refuses in lib/handlers/connect.js `init`: the CONNACK in the CONNECT's
   * protocol version (MQTT 5: its reason code [MQTT-3.2.2-8]), then the
   * connection fails with an error carrying the code and the reason, seen as
   * 'connectionError' (see `onConnectRefused`). aedes answers a `preConnect`
   * refusal with no CONNACK at all, so the seam writes it, and fails the
   * CONNECT once it has left (aedes' own CONNACK writes complete in the next
   * turn too).
   */
  function refuseBeforeConnect(
    client: Client,
    protocolVersion: number | undefined,
    refusal: Refusal,
    done: (err: Error | null, ok: boolean) => void,
  ) {
    const v5 = protocolVersion === 5
    const connack = v5
      ? {
          cmd: 'connack' as const,
          reasonCode: connackReasonCode(refusal.returnCode),
          sessionPresent: false,
        }
      : { cmd: 'connack' as const, returnCode: refusal.returnCode, sessionPresent: false }
    mqtt.writeToStream(connack, client.conn, { protocolVersion: v5 ? 5 : 4 })
    const err = Object.assign(new Error(refusal.reason), { errorCode: refusal.returnCode })
    setImmediate(done, err, false)
  }

  async function runChecks(client: Client, login: Login): Promise<Refusal | null> {
    for (const stage of checks) {
      const refusal = await stage.check?.(client, login)
      if (refusal) return refusal
    }
    return null
  }

  // Synchronous stages stay synchronous: a PUBLISH that no stage awaits
  // (QoS 0, mostly) costs no promise.
  function runPublish(
    client: Client | null,
    packet: PublishPacket,
    from: number,
  ): Promise<void> | undefined {
    for (let i = from; i < publish.length; i++) {
      const verdict = publish[i](client, packet)
      if (verdict === 'accept') return undefined
      if (verdict === 'pass') continue
      return verdict.then((v) => (v === 'accept' ? undefined : runPublish(client, packet, i + 1)))
    }
    return undefined
  }
}
