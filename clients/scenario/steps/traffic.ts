import type { Step } from '../types.ts'
import { nothingExpected, openClient, type ScenarioContext, type StepOutcome } from './context.ts'

type StepOf<A extends Step['action']> = Extract<Step, { action: A }>

export async function subscribe(
  ctx: ScenarioContext,
  step: StepOf<'subscribe'>,
): Promise<StepOutcome> {
  const client = openClient(ctx, step.client)
  const messageId = client.allocateId()
  client.send({
    cmd: 'subscribe',
    messageId,
    subscriptions: step.topics.map((t) => ({ topic: ctx.ns.topic(t.topic), qos: t.qos })),
  })
  const suback = await client.next('suback', ctx.timeoutMs, (p) => p.messageId === messageId)
  const granted = suback.granted.map((g) =>
    typeof g === 'number' ? g : (g as { qos: number }).qos,
  )
  const want = step.expect.granted
  const failures =
    want !== null && JSON.stringify(want) !== JSON.stringify(granted)
      ? [`granted ${JSON.stringify(granted)}, expected ${JSON.stringify(want)}`]
      : []
  return { observed: { granted }, expectations: want === null ? 0 : 1, failures }
}

export async function unsubscribe(
  ctx: ScenarioContext,
  step: StepOf<'unsubscribe'>,
): Promise<StepOutcome> {
  const client = openClient(ctx, step.client)
  const messageId = client.allocateId()
  client.send({
    cmd: 'unsubscribe',
    messageId,
    unsubscriptions: step.topics.map((t) => ctx.ns.topic(t)),
  })
  await client.next('unsuback', ctx.timeoutMs, (p) => p.messageId === messageId)
  return nothingExpected()
}

/**
 * Publishes and waits until the broker has handled the message: PUBACK for
 * QoS 1, PUBREC/PUBREL/PUBCOMP for QoS 2, a PINGREQ round-trip for QoS 0.
 */
export async function publish(ctx: ScenarioContext, step: StepOf<'publish'>): Promise<StepOutcome> {
  const client = openClient(ctx, step.client)
  const topic = ctx.ns.topic(step.topic)
  if (step.retain && step.payload !== '') ctx.leftovers.retained.add(topic)
  const payload = Buffer.from(step.payload)
  const { qos, retain, dup } = step
  if (qos === 0) {
    client.send({ cmd: 'publish', topic, payload, qos, retain, dup })
    await client.ping(ctx.timeoutMs)
    return nothingExpected()
  }
  const messageId = client.allocateId()
  client.send({ cmd: 'publish', topic, payload, qos, retain, dup, messageId })
  const ofThis = (p: { messageId?: number }) => p.messageId === messageId
  if (qos === 1) {
    await client.next('puback', ctx.timeoutMs, ofThis)
    return nothingExpected()
  }
  await client.next('pubrec', ctx.timeoutMs, ofThis)
  client.send({ cmd: 'pubrel', messageId })
  await client.next('pubcomp', ctx.timeoutMs, ofThis)
  return nothingExpected()
}
