import { ClientError } from '../../errors.ts'
import { PacketClient } from '../../mqtt/packet-client.ts'
import type { Step } from '../types.ts'
import {
  clientNamed,
  nothingExpected,
  openClient,
  type ScenarioContext,
  type StepOutcome,
} from './context.ts'

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
  if (!step.clean && clientId !== '') ctx.leftovers.sessions.add(clientId)
  const { will } = step
  if (will?.retain) ctx.leftovers.retained.add(ctx.ns.topic(will.topic))
  let connack: { returnCode: number; sessionPresent: boolean } | null = null
  try {
    const packet = await client.connect(
      {
        clientId,
        clean: step.clean,
        keepalive: step.keepalive,
        protocolVersion: step.protocolVersion,
        ...(will && {
          will: { ...will, topic: ctx.ns.topic(will.topic), payload: Buffer.from(will.payload) },
        }),
        ...(step.username !== null && { username: step.username }),
        ...(step.password !== null && { password: Buffer.from(step.password) }),
      },
      ctx.timeoutMs,
    )
    connack = { returnCode: packet.returnCode ?? 0, sessionPresent: packet.sessionPresent }
  } catch (err) {
    // a broker may refuse by closing without CONNACK: that is an observation, not an error
    if (!(err instanceof ClientError && err.code === 'CONNECTION_CLOSED')) throw err
  }
  const failures: string[] = []
  const { expect } = step
  if (connack === null) {
    failures.push(`closed without CONNACK, expected return code ${expect.returnCode}`)
  } else {
    if (connack.returnCode !== expect.returnCode) {
      failures.push(`return code ${connack.returnCode}, expected ${expect.returnCode}`)
    }
    if (expect.sessionPresent !== null && connack.sessionPresent !== expect.sessionPresent) {
      failures.push(
        `session present ${Number(connack.sessionPresent)}, expected ${Number(expect.sessionPresent)}`,
      )
    }
  }
  const expectations = 1 + (expect.sessionPresent === null ? 0 : 1)
  return { observed: { connack }, expectations, failures }
}

export async function disconnect(ctx: ScenarioContext, step: Step): Promise<StepOutcome> {
  await openClient(ctx, step.client).disconnect(ctx.timeoutMs)
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

/** Waits for a condition; a wait that times out fails the step, but is no expectation. */
export async function wait(ctx: ScenarioContext, step: StepOf<'wait'>): Promise<StepOutcome> {
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
