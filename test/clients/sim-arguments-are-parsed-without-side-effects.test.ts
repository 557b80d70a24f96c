import { describe, expect, test } from 'vitest'
import { parseSimArgs } from '../../clients/sim/args.ts'

describe('sessionlab sim arguments', () => {
  test('defaults: 10 devices, every strategy, 10 s at 20/s, QoS 1, no seed yet', () => {
    expect(parseSimArgs(['--broker', 'mqtt://127.0.0.1:1883'])).toEqual({
      broker: 'mqtt://127.0.0.1:1883',
      devices: 10,
      strategies: ['persistent', 'clean', 'resubscribe'],
      seed: null,
      rate: 20,
      qos: 1,
      messages: 200,
      offlineMeanMs: 2000,
      onlineMeanMs: 3000,
      payloadBytes: 64,
      settleMs: 2000,
      api: null,
      reportMd: null,
      reportJson: null,
      json: false,
      help: false,
    })
  })

  test('every flag is taken', () => {
    const args = parseSimArgs([
      '--broker',
      'ws://h:8083/mqtt',
      '--devices',
      '3',
      '--strategy',
      'clean',
      '--seed',
      '42',
      '--rate',
      '2.5',
      '--qos',
      '2',
      '--duration',
      '4',
      '--offline-mean',
      '100',
      '--online-mean',
      '200',
      '--payload-bytes',
      '4',
      '--settle',
      '0',
      '--api',
      'http://h:8080',
      '--report-md',
      'r.md',
      '--report-json',
      'r.json',
      '--json',
    ])
    expect(args).toMatchObject({
      devices: 3,
      strategies: ['clean'],
      seed: 42,
      rate: 2.5,
      qos: 2,
      messages: 10,
      offlineMeanMs: 100,
      onlineMeanMs: 200,
      payloadBytes: 4,
      settleMs: 0,
      api: 'http://h:8080',
      reportMd: 'r.md',
      reportJson: 'r.json',
      json: true,
    })
  })

  test('--messages sets the count directly; --strategy takes a list', () => {
    expect(
      parseSimArgs([
        '--broker',
        'mqtt://h',
        '--messages',
        '7',
        '--strategy',
        'resubscribe,persistent',
      ]),
    ).toMatchObject({ messages: 7, strategies: ['resubscribe', 'persistent'] })
  })

  test('--strategy takes expiry:N, an MQTT 5 session that expires N s after a drop', () => {
    expect(
      parseSimArgs(['--broker', 'mqtt://h', '--strategy', 'expiry:5,persistent,expiry:0']),
    ).toMatchObject({ strategies: ['expiry:5', 'persistent', 'expiry:0'] })
  })

  test.each([
    [['--devices', '5'], /missing --broker URL/],
    [
      ['--broker', 'mqtt://h', '--strategy', 'sticky'],
      /--strategy: expected persistent, clean, resubscribe, expiry:N \(N seconds, 0-4294967295\) or all, got "sticky"/,
    ],
    [['--broker', 'mqtt://h', '--strategy', 'expiry:soon'], /got "expiry:soon"/],
    [['--broker', 'mqtt://h', '--strategy', 'expiry:4294967296'], /got "expiry:4294967296"/],
    [['--broker', 'mqtt://h', '--qos', '3'], /--qos: expected a number 0-2, got "3"/],
    [['--broker', 'mqtt://h', '--devices', '1.5'], /--devices: expected an integer, got "1.5"/],
    [['--broker', 'mqtt://h', '--rate', 'fast'], /--rate: expected a number/],
    [['--broker', 'mqtt://h', '--payload-bytes', '2'], /--payload-bytes: expected a number 4-/],
    [
      ['--broker', 'mqtt://h', '--messages', '5', '--duration', '1'],
      /--duration or --messages, not both/,
    ],
    [['--broker', 'mqtt://h', 'extra'], /Unexpected argument 'extra'/],
  ])('%j is refused naming the flag', (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(message)
  })
})
