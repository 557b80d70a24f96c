import type { Protocol, Step } from './types.ts'

/** A mistake that the schema cannot see: it needs the steps before. */
export interface OrderIssue {
  step: Step
  /** Starts with the field it is about (`publish.properties: ...`), or the action names it. */
  message: string
}

const MESSAGE_V5_FIELDS = [
  'messageExpiryInterval',
  'subscriptionIdentifier',
  'contentType',
  'responseTopic',
  'correlationData',
  'payloadFormatIndicator',
  'userProperties',
] as const

/** The fields of a step that only MQTT 5 has, as `action.field` paths. */
function mqtt5Fields(step: Step): string[] {
  const at = (field: string) => `${step.action}.${field}`
  switch (step.action) {
    case 'connect':
      return [
        ...(step.properties ? [at('properties')] : []),
        ...(step.will?.properties ? [at('will.properties')] : []),
        ...(step.expect.properties ? ['expect.properties'] : []),
      ]
    case 'subscribe':
      return [
        ...(step.subscriptionIdentifier !== null ? [at('subscriptionIdentifier')] : []),
        ...(step.userProperties ? [at('userProperties')] : []),
        ...step.topics.flatMap((t) =>
          (['noLocal', 'retainAsPublished', 'retainHandling'] as const)
            .filter((k) => t[k] !== undefined)
            .map(at),
        ),
      ]
    case 'publish':
      return [
        ...(step.properties ? [at('properties')] : []),
        ...(step.expect.reasonCode !== null ? ['expect.reasonCode'] : []),
      ]
    case 'disconnect':
      return [
        ...(step.reasonCode !== null ? [at('reasonCode')] : []),
        ...(step.sessionExpiryInterval !== null ? [at('sessionExpiryInterval')] : []),
      ]
    case 'expect-messages':
      return MESSAGE_V5_FIELDS.filter((k) => step.messages.some((m) => m[k] !== undefined)).map(
        (k) => at(`messages.${k}`),
      )
    case 'expect-disconnect':
      // an MQTT 3.1.1 server never sends DISCONNECT
      return [step.action]
    default:
      return []
  }
}

/**
 * Every client must be connected by an earlier step before it is used,
 * every `sameIdAs` must name an id an earlier step saved (in an ordered
 * `expect-messages`), and MQTT 5 fields need a client connected with protocol 5.
 */
export function checkOrder(steps: Step[]): OrderIssue[] {
  const connected = new Map<string, Protocol>()
  const saved = new Set<string>()
  const out: OrderIssue[] = []
  for (const step of steps) {
    const protocol =
      step.action === 'connect'
        ? step.protocol
        : connected.get(step.action === 'expect-messages' ? (step.clients[0] ?? '') : step.client)
    if (protocol !== undefined && protocol !== 5) {
      for (const field of new Set(mqtt5Fields(step))) {
        out.push({
          step,
          message: `${field}: MQTT 5 only, and client "${step.client}" connects with protocol ${protocol} (set protocol: 5)`,
        })
      }
    }
    if (step.action === 'publish' && step.qos === 0 && step.expect.reasonCode !== null) {
      out.push({ step, message: 'expect.reasonCode: a QoS 0 PUBLISH is not acknowledged' })
    }
    if (
      step.action === 'publish' &&
      step.topic === '' &&
      step.properties?.topicAlias === undefined
    ) {
      out.push({ step, message: 'publish.topic: an empty topic needs properties.topicAlias' })
    }
    if (step.action === 'connect') {
      connected.set(step.client, step.protocol)
      continue
    }
    // a timed wait belongs to no client; `anyOf` names several
    const clients = step.action === 'expect-messages' ? step.clients : [step.client]
    for (const client of clients) {
      if (client !== '' && !connected.has(client)) {
        out.push({ step, message: `client "${client}" is used before any step connects it` })
      }
    }
    const refs =
      step.action === 'expect-messages'
        ? step.messages.map((m) => m.sameIdAs)
        : step.action === 'expect-pubrel'
          ? [step.sameIdAs]
          : []
    for (const ref of refs) {
      if (ref && !saved.has(ref)) {
        out.push({ step, message: `sameIdAs "${ref}" names no id saved by an earlier step` })
      }
    }
    if (step.action === 'expect-messages') {
      if (!step.ordered && step.messages.some((m) => m.sameIdAs)) {
        // which message a packet id belongs to is only known position by position
        out.push({ step, message: 'sameIdAs needs ordered: true' })
      }
      for (const m of step.messages) if (m.saveId) saved.add(m.saveId)
    }
  }
  return out
}
