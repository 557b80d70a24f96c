import { describe, expect, test } from 'vitest'
import { parseScenarioArgs } from '../../clients/scenario/args.ts'

describe('sessionlab scenario run arguments', () => {
  test('files, broker and defaults', () => {
    expect(parseScenarioArgs(['a.yaml', 'dir', '--broker', 'mqtt://127.0.0.1:1883'])).toEqual({
      paths: ['a.yaml', 'dir'],
      library: false,
      broker: 'mqtt://127.0.0.1:1883',
      vs: null,
      json: false,
      concurrency: 4,
      help: false,
    })
  })

  test('no file runs the bundled library; --vs, --json and --concurrency are taken', () => {
    expect(
      parseScenarioArgs([
        '--broker',
        'ws://localhost:8083/mqtt',
        '--vs',
        'mqtt://localhost:1884',
        '--json',
        '--concurrency',
        '1',
      ]),
    ).toMatchObject({
      paths: [],
      library: true,
      vs: 'mqtt://localhost:1884',
      json: true,
      concurrency: 1,
    })
    expect(parseScenarioArgs(['x.yaml', '--library', '--broker', 'mqtt://h'])).toMatchObject({
      paths: ['x.yaml'],
      library: true,
    })
  })

  test('--help needs no broker', () => {
    expect(parseScenarioArgs(['--help']).help).toBe(true)
    expect(parseScenarioArgs(['-h']).help).toBe(true)
  })

  test.each([
    [[], /missing --broker URL/, 'USAGE'],
    [['--broker', 'http://h:1'], /unsupported scheme "http:"/, 'BROKER_URL_INVALID'],
    [['--broker', 'mqtt://h', '--vs', 'nonsense'], /not a URL: "nonsense"/, 'BROKER_URL_INVALID'],
    [
      ['--broker', 'mqtt://h', '--concurrency', '0'],
      /--concurrency: expected an integer 1-64/,
      'USAGE',
    ],
    [['--broker', 'mqtt://h', '--verbose'], /Unknown option '--verbose'/, 'USAGE'],
  ])('%j is refused with a message naming the problem', (argv, message, code) => {
    expect(() => parseScenarioArgs(argv)).toThrow(message)
    expect(() => parseScenarioArgs(argv)).toThrow(expect.objectContaining({ code }))
  })
})
