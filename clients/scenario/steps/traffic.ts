import type { ISubscription } from 'mqtt-packet'
import { hex } from '../reason-code.ts'
import type { Step, Subscription } from '../types.ts'
import { nothingExpected, openClient, type ScenarioContext, type StepOutcome } from './context.ts'
import { messageProperties } from './properties.ts'

/** A subscription as mqtt-packet writes it: MQTT 5 options as `nl`, `rap`, `rh`. */
function wireSubscription(ctx: ScenarioContext, t: Subscription): ISubscription {
  return {
    topic: ctx.ns.topic(t.topic),
    qos: t.qos,
    ...(t.noLocal !== undefined && { nl: t.noLocal }),
    ...(t.retainAsPublished !== undefined && { rap: t.retainAsPublished }),
    ...(t.retainHandling !== undefined && { rh: t.retainHandling }),
  }
}

type StepOf<A extends Step['action']> = Extract<Step, { action: A }>

export async function subscribe(
  ctx: ScenarioContext,
  step: StepOf<'subscribe'>,
): Promise<StepOutcome> {
  const client = openClient(ctx, step.client)
  const messageId = client.allocateId()
  const properties = {
    ...(step.subscriptionIdentifier !== null && {
      subscriptionIdentifier: step.subscriptionIdentifier,
    }),
    ...(step.userProperties !== null && { userProperties: step.userProperties }),
  }
  client.send({
    cmd: 'subscribe',
    messageId,
    subscriptions: step.topics.map((t) => wireSubscription(ctx, t)),
    ...(Object.keys(properties).length > 0 && { properties }),
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
 * QoS 1, PUBREC/PUBREL/PUBCOMP for QoS 2 (in MQTT 5 a PUBREC with a failure
 * reason code ends the exchange [MQTT-5: 4.3.3-7]), a PINGREQ round-trip for QoS 0.
 */
export async function publish(ctx: ScenarioContext, step: StepOf<'publish'>): Promise<StepOutcome> {
  const client = openClient(ctx, step.client)
  // an empty topic with a Topic Alias names the topic the alias stands for
  const topic = step.topic === '' ? '' : ctx.ns.topic(step.topic)
  if (step.retain && step.payload !== '' && topic !== '') ctx.leftovers.retained.add(topic)
  const payload = Buffer.from(step.payload)
  const { qos, retain, dup } = step
  const properties = step.properties && { properties: messageProperties(ctx, step.properties) }
  if (qos === 0) {
    client.send({ cmd: 'publish', topic, payload, qos, retain, dup, ...properties })
    await client.ping(ctx.timeoutMs)
    return nothingExpected()
  }
  const messageId = client.allocateId()
  client.send({ cmd: 'publish', topic, payload, qos, retain, dup, messageId, ...properties })
  const ofThis = (p: { messageId?: number }) => p.messageId === messageId
  let reasonCode: number
  if (qos === 1) {
    reasonCode = (await client.next('puback', ctx.timeoutMs, ofThis)).reasonCode ?? 0
  } else {
    reasonCode = (await client.next('pubrec', ctx.timeoutMs, ofThis)).reasonCode ?? 0
    if (reasonCode < 0x80) {
      client.send({ cmd: 'pubrel', messageId })
      await client.next('pubcomp', ctx.timeoutMs, ofThis)
    }
  }
  const want = step.expect.reasonCode
  if (want === null) return nothingExpected()
  const failures = want.includes(reasonCode)
    ? []
    : [
        `${qos === 1 ? 'PUBACK' : 'PUBREC'} reason code ${hex(reasonCode)}, expected ${want.map(hex).join(' or ')}`,
      ]
  return { observed: { ack: { reasonCode } }, expectations: 1, failures }
}
