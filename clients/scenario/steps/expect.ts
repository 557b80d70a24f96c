import { setTimeout as delay } from 'node:timers/promises'
import type { IPublishPacket } from 'mqtt-packet'
import { ClientError } from '../../errors.ts'
import { nextPublishFromAny } from '../../mqtt/next-from-any.ts'
import { describeMessage, MQTT5_MESSAGE_FIELDS, matchOrdered, matchUnordered } from '../match.ts'
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
  if (packet.properties) Object.assign(message, receivedProperties(ctx, packet.properties))
  if (want?.sameIdAs !== undefined) {
    message.sameId = ctx.savedIds.get(want.sameIdAs) === packet.messageId
  }
  if (want?.saveId !== undefined && packet.messageId !== undefined) {
    ctx.savedIds.set(want.saveId, packet.messageId)
  }
  return message
}

/** MQTT 5 properties of a received PUBLISH, absent ones as null, in the scenario's terms. */
function receivedProperties(
  ctx: ScenarioContext,
  p: NonNullable<IPublishPacket['properties']>,
): Partial<ReceivedMessage> {
  return {
    messageExpiryInterval: p.messageExpiryInterval ?? null,
    subscriptionIdentifier: p.subscriptionIdentifier ?? null,
    contentType: p.contentType ?? null,
    responseTopic: p.responseTopic === undefined ? null : ctx.ns.strip(p.responseTopic),
    correlationData: p.correlationData === undefined ? null : p.correlationData.toString('utf8'),
    payloadFormatIndicator: p.payloadFormatIndicator ?? null,
    userProperties: p.userProperties ?? null,
  }
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
  const clients = step.clients.map((name) => clientNamed(ctx, name))
  const deadline = Date.now() + step.timeoutMs
  const got: ReceivedMessage[] = []
  const packets: IPublishPacket[] = []
  let shortBy: string | null = null
  for (const want of step.messages) {
    try {
      const ms = Math.max(1, deadline - Date.now())
      const [only] = clients
      const packet =
        clients.length === 1 && only
          ? await only.next('publish', ms)
          : (await nextPublishFromAny(clients, ms)).packet
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
  // in order, each message is judged by its own expectation; in any order, by all of them
  const observed = got.map((m, i) =>
    observedMessage(m, step.ordered ? step.messages.slice(i, i + 1) : step.messages),
  )
  // Arrival order means nothing in any order, nor across several connections
  // (each keeps its own order, the interleaving is the network's): the
  // observation lists them sorted, so two brokers compare by what came.
  if (!step.ordered || clients.length > 1) observed.sort(byJson)
  return { observed: { received: observed }, expectations: step.messages.length, failures }
}

/**
 * A received message as the step's observation keeps it: MQTT 5 properties
 * only when one of the step's expectations names them, and an expiry that
 * lies within the expected bounds as the bounds, so that two brokers (or two
 * runs) a second apart observe the same thing.
 */
function observedMessage(m: ReceivedMessage, wants: ExpectedMessage[]): ReceivedMessage {
  const out: ReceivedMessage = {
    topic: m.topic,
    payload: m.payload,
    qos: m.qos,
    dup: m.dup,
    retain: m.retain,
  }
  if (m.sameId !== undefined) out.sameId = m.sameId
  for (const key of MQTT5_MESSAGE_FIELDS) {
    if (wants.some((w) => w[key] !== undefined)) Object.assign(out, { [key]: m[key] ?? null })
  }
  const bounds = wants
    .map((w) => w.messageExpiryInterval)
    .find((e) => e !== null && typeof e === 'object')
  if (bounds && typeof m.messageExpiryInterval === 'number') {
    const { min = 0, max = 4294967295 } = bounds
    if (m.messageExpiryInterval >= min && m.messageExpiryInterval <= max) {
      out.messageExpiryInterval = `${min}..${max}`
    }
  }
  return out
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
  const got = client.takeAll('publish').map((packet) => observedMessage(received(ctx, packet), []))
  const failures = got.map((m) => `received ${describeMessage(m)}`)
  return { observed: { received: got }, expectations: 1, failures }
}

function byJson(a: unknown, b: unknown): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)]
  return x < y ? -1 : x > y ? 1 : 0
}
