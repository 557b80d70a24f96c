import { setTimeout as delay } from 'node:timers/promises'
import type { IPublishPacket } from 'mqtt-packet'
import { ClientError } from '../../errors.ts'
import { describeMessage, matchOrdered, matchUnordered } from '../match.ts'
import type { ReceivedMessage } from '../result.ts'
import type { ExpectedMessage, Qos, Step } from '../types.ts'
import { clientNamed, type ScenarioContext, type StepOutcome } from './context.ts'

type StepOf<A extends Step['action']> = Extract<Step, { action: A }>

function received(
  ctx: ScenarioContext,
  packet: IPublishPacket,
  want?: ExpectedMessage,
): ReceivedMessage {
  const message: ReceivedMessage = {
    topic: ctx.ns.strip(packet.topic),
    payload: Buffer.from(packet.payload).toString('utf8'),
    qos: packet.qos as Qos,
    dup: packet.dup,
    retain: packet.retain,
  }
  if (want?.sameIdAs !== undefined) {
    message.sameId = ctx.savedIds.get(want.sameIdAs) === packet.messageId
  }
  if (want?.saveId !== undefined && packet.messageId !== undefined) {
    ctx.savedIds.set(want.saveId, packet.messageId)
  }
  return message
}

/**
 * Takes the next PUBLISH packets, as many as expected, and checks each
 * (in order, or in any order with `ordered: false`). Messages beyond that
 * count stay for later steps.
 */
export async function expectMessages(
  ctx: ScenarioContext,
  step: StepOf<'expect-messages'>,
): Promise<StepOutcome> {
  const client = clientNamed(ctx, step.client)
  const deadline = Date.now() + step.timeoutMs
  const got: ReceivedMessage[] = []
  const packets: IPublishPacket[] = []
  let shortBy: string | null = null
  for (const want of step.messages) {
    try {
      const packet = await client.next('publish', Math.max(1, deadline - Date.now()))
      packets.push(packet)
      got.push(received(ctx, packet, step.ordered ? want : undefined))
    } catch (err) {
      if (!(err instanceof ClientError)) throw err
      const why =
        err.code === 'CONNECTION_CLOSED'
          ? 'before the connection closed'
          : `within ${step.timeoutMs} ms`
      shortBy = `expected ${step.messages.length} message(s), received ${got.length} ${why}`
      break
    }
  }
  const failures = step.ordered
    ? matchOrdered(step.messages, got)
    : matchUnordered(step.messages, got)
  if (shortBy !== null) failures.unshift(shortBy)
  if (!step.ordered) saveUnorderedIds(ctx, step.messages, got, packets)
  return { observed: { received: got }, expectations: step.messages.length, failures }
}

/** With `ordered: false` ids are saved for the message each expectation matched first. */
function saveUnorderedIds(
  ctx: ScenarioContext,
  wants: ExpectedMessage[],
  got: ReceivedMessage[],
  packets: IPublishPacket[],
): void {
  for (const want of wants) {
    if (want.saveId === undefined) continue
    const i = got.findIndex((m) => matchOrdered([want], [m]).length === 0)
    const id = packets[i]?.messageId
    if (id !== undefined) ctx.savedIds.set(want.saveId, id)
  }
}

export async function expectPubrel(
  ctx: ScenarioContext,
  step: StepOf<'expect-pubrel'>,
): Promise<StepOutcome> {
  const client = clientNamed(ctx, step.client)
  try {
    const pubrel = await client.next('pubrel', step.timeoutMs)
    const sameId =
      step.sameIdAs === null ? null : ctx.savedIds.get(step.sameIdAs) === pubrel.messageId
    const failures = sameId === false ? [`PUBREL packet id differs from "${step.sameIdAs}"`] : []
    return { observed: { pubrel: { sameId } }, expectations: 1, failures }
  } catch (err) {
    if (!(err instanceof ClientError)) throw err
    return { observed: { pubrel: null }, expectations: 1, failures: [`no PUBREL: ${err.message}`] }
  }
}

/**
 * No PUBLISH arrives: a PINGREQ round-trip (so the broker has handled what
 * this client sent), then a listening window of `windowMs` — the only fixed
 * wait in the format, since "nothing" can only be observed for a while.
 */
export async function expectNothing(
  ctx: ScenarioContext,
  step: StepOf<'expect-nothing'>,
): Promise<StepOutcome> {
  const client = clientNamed(ctx, step.client)
  if (!client.closed) await client.ping(ctx.timeoutMs).catch(() => {})
  await delay(step.windowMs)
  const got = client.takeAll('publish').map((packet) => received(ctx, packet))
  const failures = got.map((m) => `received ${describeMessage(m)}`)
  return { observed: { received: got }, expectations: 1, failures }
}
