import { setTimeout as delay } from 'node:timers/promises'
import type { IConnackPacket } from 'mqtt-packet'
import { ClientError } from '../../errors.ts'
import { PacketClient } from '../../mqtt/packet-client.ts'
import { hex } from '../reason-code.ts'
import type { Step } from '../types.ts'
import {
  clientNamed,
  nothingExpected,
  openClient,
  type ScenarioContext,
  type StepOutcome,
} from './context.ts'
import { messageProperties } from './properties.ts'

type StepOf<A extends Step['action']> = Extract<Step, { action: A }>

/** Opens a connection, sends CONNECT and checks the CONNACK. */
export async function connect(ctx: ScenarioContext, step: StepOf<'connect'>): Promise<StepOutcome> {
  const previous = ctx.clients.get(step.client)
  if (previous && !previous.closed) {
    throw new ClientError(
      'CLIENT_STILL_CONNECTED',
      `client "${step.client}" is still connected: disconnect or drop it first`,
    )
  }
  const client = await PacketClient.open(ctx.url, ctx.timeoutMs)
  ctx.clients.set(step.client, client)
  const clientId = ctx.ns.clientId(step.clientId)
  // an MQTT 5 session may outlive a Clean Start connection (Session Expiry Interval)
  if ((!step.clean || step.protocol === 5) && clientId !== '') ctx.leftovers.sessions.add(clientId)
  const { will } = step
  if (will?.retain) ctx.leftovers.retained.add(ctx.ns.topic(will.topic))
  let connack: IConnackPacket | null = null
  try {
    connack = await client.connect(
      {
        clientId,
        clean: step.clean,
        keepalive: step.keepalive,
        protocolVersion: step.protocol,
        ...(will && {
          will: {
            topic: ctx.ns.topic(will.topic),
            payload: Buffer.from(will.payload),
            qos: will.qos,
            retain: will.retain,
            ...(will.properties && { properties: messageProperties(ctx, will.properties) }),
          },
        }),
        ...(step.properties && { properties: step.properties }),
        ...(step.username !== null && { username: step.username }),
        ...(step.password !== null && { password: Buffer.from(step.password) }),
      },
      ctx.timeoutMs,
    )
  } catch (err) {
    // a broker may refuse by closing without CONNACK: that is an observation, not an error
    if (!(err instanceof ClientError && err.code === 'CONNECTION_CLOSED')) throw err
  }
  const { expect } = step
  const observed = connack && {
    // one field: the 3.1.1 return code, or the MQTT 5 reason code
    returnCode: connack.returnCode ?? connack.reasonCode ?? 0,
    sessionPresent: connack.sessionPresent,
    ...(expect.properties && { properties: picked(connack.properties, expect.properties) }),
  }
  const failures: string[] = []
  const code = step.protocol === 5 ? 'reason code' : 'return code'
  if (observed === null) {
    failures.push(`closed without CONNACK, expected ${code} ${expect.returnCode}`)
  } else {
    if (observed.returnCode !== expect.returnCode) {
      failures.push(`${code} ${observed.returnCode}, expected ${expect.returnCode}`)
    }
    if (expect.sessionPresent !== null && observed.sessionPresent !== expect.sessionPresent) {
      failures.push(
        `session present ${Number(observed.sessionPresent)}, expected ${Number(expect.sessionPresent)}`,
      )
    }
    for (const [name, want] of Object.entries(expect.properties ?? {})) {
      const got = observed.properties?.[name]
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        failures.push(`CONNACK ${name} ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
      }
    }
  }
  const expectations =
    1 + (expect.sessionPresent === null ? 0 : 1) + Object.keys(expect.properties ?? {}).length
  return { observed: { connack: observed }, expectations, failures }
}

/** The named properties as received; absent ones as null, so an observation shows them missing. */
function picked(
  properties: object | undefined,
  wanted: Record<string, unknown>,
): Record<string, unknown> {
  const got = (properties ?? {}) as Record<string, unknown>
  return Object.fromEntries(Object.keys(wanted).map((k) => [k, got[k] ?? null]))
}

/**
 * DISCONNECT; in MQTT 5 with a reason code and a new Session Expiry Interval
 * when given. With an interval the client leaves the broker to close first
 * (within the timeout), so a refusal (DISCONNECT 0x82) can be read.
 */
export async function disconnect(
  ctx: ScenarioContext,
  step: StepOf<'disconnect'>,
): Promise<StepOutcome> {
  const fields = {
    ...(step.reasonCode !== null && { reasonCode: step.reasonCode }),
    ...(step.sessionExpiryInterval !== null && {
      properties: { sessionExpiryInterval: step.sessionExpiryInterval },
    }),
  }
  // a broker refuses a Session Expiry Interval it may not take (0x82): let its answer arrive
  const linger = step.sessionExpiryInterval === null ? 0 : ctx.timeoutMs
  await openClient(ctx, step.client).disconnect(ctx.timeoutMs, fields, linger)
  return nothingExpected()
}

export async function drop(ctx: ScenarioContext, step: Step): Promise<StepOutcome> {
  await openClient(ctx, step.client).destroy(ctx.timeoutMs)
  return nothingExpected()
}

export function stopAcknowledging(
  ctx: ScenarioContext,
  step: StepOf<'stop-acknowledging'>,
): StepOutcome {
  const client = openClient(ctx, step.client)
  for (const packet of step.packets) client.acks[packet] = false
  return nothingExpected()
}

/**
 * Waits for a condition; a wait that times out fails the step, but is no
 * expectation. `until: time` waits a fixed time: only for rules that run on
 * the broker's own timer (session expiry, Will delay), which no packet announces.
 */
export async function wait(ctx: ScenarioContext, step: StepOf<'wait'>): Promise<StepOutcome> {
  if (step.until === 'time') {
    await delay(step.ms)
    return nothingExpected()
  }
  const client = clientNamed(ctx, step.client)
  if (step.until === 'pong') await client.ping(step.timeoutMs)
  else await client.waitClosed(step.timeoutMs)
  return nothingExpected(step.until === 'closed' ? { closed: true } : {})
}

export async function expectClosed(
  ctx: ScenarioContext,
  step: StepOf<'expect-closed'>,
): Promise<StepOutcome> {
  const client = clientNamed(ctx, step.client)
  const closed = await client.waitClosed(step.timeoutMs).then(
    () => true,
    () => false,
  )
  const failures = closed ? [] : [`still open after ${step.timeoutMs} ms`]
  return { observed: { closed }, expectations: 1, failures }
}

/** MQTT 5: takes the broker's DISCONNECT (waiting up to the timeout) and checks its reason code. */
export async function expectDisconnect(
  ctx: ScenarioContext,
  step: StepOf<'expect-disconnect'>,
): Promise<StepOutcome> {
  const client = clientNamed(ctx, step.client)
  let why = ''
  const packet = await client.next('disconnect', step.timeoutMs).catch((err: unknown) => {
    if (!(err instanceof ClientError)) throw err
    why =
      err.code === 'CONNECTION_CLOSED'
        ? 'before the connection closed'
        : `within ${step.timeoutMs} ms`
    return null
  })
  const observed = packet && { reasonCode: packet.reasonCode ?? 0 }
  const failures: string[] = []
  if (observed === null) failures.push(`no DISCONNECT from the broker ${why}`)
  else if (step.reasonCode !== null && observed.reasonCode !== step.reasonCode) {
    failures.push(
      `DISCONNECT reason code ${hex(observed.reasonCode)}, expected ${hex(step.reasonCode)}`,
    )
  }
  return { observed: { disconnect: observed }, expectations: 1, failures }
}
