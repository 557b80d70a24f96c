import { describe, expect, test } from 'vitest'
import { parseScenario } from '../../clients/scenario/load.ts'
import { ScenarioFileError } from '../../clients/scenario/problems.ts'

function problemsOf(text: string): [number | null, number | null, string][] {
  try {
    parseScenario(text, 'v5.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioFileError)
    return (err as ScenarioFileError).problems.map((p) => [p.line, p.step, p.message])
  }
  throw new Error('the scenario was accepted')
}

const lines = (...rows: string[]) => rows.join('\n')

describe('MQTT 5 fields in a scenario', () => {
  test('are read with their defaults: the scenario protocol, properties, options and expectations', () => {
    const scenario = parseScenario(
      lines(
        'name: n',
        'protocol: 5',
        'steps:',
        '  - connect:',
        '      client: a',
        '      clientId: a',
        '      clean: false',
        '      properties: { sessionExpiryInterval: 10, receiveMaximum: 2, userProperties: { k: v } }',
        '      will: { topic: w, payload: x, properties: { willDelayInterval: 3 } }',
        '    expect: { reasonCode: 0, properties: { sessionExpiryInterval: 10 } }',
        '  - connect: { client: old, clientId: old, protocol: 4 }',
        '  - subscribe:',
        '      client: a',
        '      topics: [{ topic: t, qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 }]',
        '      subscriptionIdentifier: 9',
        '  - publish: { client: a, topic: t, qos: 1, properties: { topicAlias: 1, correlationData: c } }',
        '    expect: { reasonCode: [0, 0x10] }',
        '  - publish: { client: a, topic: "", properties: { topicAlias: 1 } }',
        '  - wait: { ms: 1500 }',
        '  - expect-messages:',
        '      anyOf: [a, old]',
        '      messages: [{ messageExpiryInterval: { max: 9 }, subscriptionIdentifier: null }]',
        '  - expect-disconnect: { client: a, reasonCode: 0x8E }',
        '  - disconnect: { client: a, reasonCode: 4, sessionExpiryInterval: 0 }',
      ),
      'v5.yaml',
    )
    expect(scenario.protocol).toBe(5)
    const [connect, legacy, subscribe, publish, byAlias, wait, messages, disconnect, closing] =
      scenario.steps
    expect(connect).toMatchObject({
      protocol: 5,
      properties: { sessionExpiryInterval: 10, receiveMaximum: 2, userProperties: { k: 'v' } },
      will: { topic: 'w', properties: { willDelayInterval: 3 } },
      expect: { returnCode: 0, properties: { sessionExpiryInterval: 10 } },
    })
    expect(legacy).toMatchObject({ protocol: 4, properties: null })
    expect(subscribe).toMatchObject({
      topics: [{ topic: 't', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 }],
      subscriptionIdentifier: 9,
    })
    expect(publish).toMatchObject({
      properties: { topicAlias: 1, correlationData: 'c' },
      expect: { reasonCode: [0, 16] },
    })
    expect(byAlias).toMatchObject({ topic: '', expect: { reasonCode: null } })
    expect(wait).toMatchObject({ action: 'wait', until: 'time', ms: 1500, client: '' })
    expect(messages).toMatchObject({ clients: ['a', 'old'], client: 'a|old' })
    expect(disconnect).toMatchObject({ action: 'expect-disconnect', reasonCode: 0x8e })
    expect(closing).toMatchObject({ reasonCode: 4, sessionExpiryInterval: 0 })
  })

  test('on a client connected with 3.1.1 are refused, naming the step and the field', () => {
    expect(
      problemsOf(
        lines(
          'name: n',
          'steps:',
          '  - connect: { client: a, clientId: a, properties: { sessionExpiryInterval: 5 } }',
          '  - subscribe: { client: a, topic: t, qos: 1, noLocal: true }',
          '  - publish: { client: a, topic: t, qos: 1, properties: { messageExpiryInterval: 5 } }',
          '  - expect-messages: { client: a, messages: [{ subscriptionIdentifier: 1 }] }',
          '  - expect-disconnect: { client: a }',
          '  - disconnect: { client: a, sessionExpiryInterval: 0 }',
        ),
      ),
    ).toEqual([
      [
        3,
        1,
        'connect.properties: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
      [
        4,
        2,
        'subscribe.noLocal: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
      [
        5,
        3,
        'publish.properties: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
      [
        6,
        4,
        'expect-messages.messages.subscriptionIdentifier: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
      [
        7,
        5,
        'expect-disconnect: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
      [
        8,
        6,
        'disconnect.sessionExpiryInterval: MQTT 5 only, and client "a" connects with protocol 4 (set protocol: 5)',
      ],
    ])
  })

  test('out of range or of the wrong shape are refused by the schema, at their line', () => {
    expect(
      problemsOf(
        lines(
          'name: n',
          'protocol: 5',
          'steps:',
          '  - connect:',
          '      client: a',
          '      clientId: a',
          '      properties: { sessionExpiryInterval: -1, receiveMaximum: 0 }',
          '  - subscribe: { client: a, topic: t, qos: 1, retainHandling: 3 }',
          '  - publish: { client: a, topic: t, properties: { topicAlias: 0, colour: red } }',
          '  - disconnect: { client: a, reasonCode: 256 }',
          '  - expect-messages: { client: a, messages: [{ messageExpiryInterval: soon }] }',
          '  - disconnect: [a]',
        ),
      ),
    ).toEqual([
      [7, 1, 'connect.properties.sessionExpiryInterval: must be >= 0'],
      [7, 1, 'connect.properties.receiveMaximum: must be >= 1'],
      [8, 2, 'subscribe.retainHandling: must be one of 0, 1, 2'],
      [9, 3, 'publish.properties: unknown key "colour"'],
      [9, 3, 'publish.properties.topicAlias: must be >= 1'],
      [10, 4, 'disconnect.reasonCode: must be <= 255'],
      [
        11,
        5,
        'expect-messages.messages.0.messageExpiryInterval: must be null, or uint32, or object',
      ],
      [12, 6, 'disconnect: must be clientName, or a mapping with "client"'],
    ])
  })

  test('that only make sense together are checked together', () => {
    expect(
      problemsOf(
        lines(
          'name: n',
          'protocol: 5',
          'steps:',
          '  - connect: { client: a, clientId: a }',
          '  - publish: { client: a, topic: "" }',
          '  - publish: { client: a, topic: t, qos: 0 }',
          '    expect: { reasonCode: 0 }',
          '  - expect-messages: { anyOf: [a, b], messages: [{ payload: x }] }',
        ),
      ),
    ).toEqual([
      [5, 2, 'publish.topic: an empty topic needs properties.topicAlias'],
      [6, 3, 'publish: expect.reasonCode: a QoS 0 PUBLISH is not acknowledged'],
      [8, 4, 'expect-messages: client "b" is used before any step connects it'],
    ])
  })
})
