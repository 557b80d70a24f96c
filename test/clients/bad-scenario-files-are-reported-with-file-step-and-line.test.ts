import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadScenarioFiles, parseScenario } from '../../clients/scenario/load.ts'
import { formatProblem, type Problem, ScenarioFileError } from '../../clients/scenario/problems.ts'
import { tempDir } from '../helpers/broker.ts'

function problemsOf(text: string, file = 'bad.yaml'): Problem[] {
  try {
    parseScenario(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioFileError)
    expect((err as ScenarioFileError).code).toBe('SCENARIO_INVALID')
    return (err as ScenarioFileError).problems
  }
  throw new Error('the scenario was accepted')
}

describe('a bad scenario file', () => {
  test('a value out of range names the file, the step, the line and the key', () => {
    const problems = problemsOf(
      [
        'name: n',
        'steps:',
        '  - connect: { client: a, clientId: a }',
        '  - publish:',
        '      client: a',
        '      topic: t',
        '      qos: 3',
      ].join('\n'),
    )
    expect(problems).toEqual([
      { file: 'bad.yaml', line: 7, step: 2, message: 'publish.qos: must be one of 0, 1, 2' },
    ])
    expect(formatProblem(problems[0] as Problem)).toBe(
      'bad.yaml:7: step 2: publish.qos: must be one of 0, 1, 2',
    )
  })

  test('an unknown action is named with the actions there are', () => {
    const [problem] = problemsOf('name: n\nsteps:\n  - conect: { client: a, clientId: a }\n')
    expect(problem).toMatchObject({ line: 3, step: 1 })
    expect(problem?.message).toMatch(/^unknown action "conect" \(one of connect, subscribe, /)
  })

  test('two actions in one step, a missing key and an unknown key are each reported', () => {
    const problems = problemsOf(
      [
        'name: n',
        'steps:',
        '  - connect: { client: a }',
        '  - connect: { client: b, clientId: b, cleen: true }',
        '  - { drop: a, disconnect: a }',
      ].join('\n'),
    )
    expect(problems.map((p) => [p.line, p.step, p.message])).toEqual([
      [3, 1, 'connect: missing "clientId"'],
      [4, 2, 'connect: unknown key "cleen"'],
      [5, 3, 'one action per step, found drop and disconnect'],
    ])
  })

  test('subscribe needs a topic and a QoS, or a list of topics', () => {
    const [problem] = problemsOf(
      'name: n\nsteps:\n  - connect: { client: a, clientId: a }\n  - subscribe: { client: a, topic: t }\n',
    )
    expect(problem).toMatchObject({ line: 4, step: 2 })
    expect(problem?.message).toBe('subscribe: needs "topic" and "qos", or "topics"')
  })

  test('a client used before it is connected, and an id never saved, are caught before running', () => {
    const problems = problemsOf(
      [
        'name: n',
        'steps:',
        '  - subscribe: { client: a, topic: t, qos: 1 }',
        '  - connect: { client: a, clientId: a }',
        '  - expect-pubrel: { client: a, sameIdAs: first }',
        '  - expect-messages:',
        '      client: a',
        '      ordered: false',
        '      messages: [{ saveId: one }, { sameIdAs: one }]',
      ].join('\n'),
    )
    expect(problems.map((p) => [p.line, p.step, p.message])).toEqual([
      [3, 1, 'subscribe: client "a" is used before any step connects it'],
      [5, 3, 'expect-pubrel: sameIdAs "first" names no id saved by an earlier step'],
      [6, 4, 'expect-messages: sameIdAs "one" names no id saved by an earlier step'],
      [6, 4, 'expect-messages: sameIdAs needs ordered: true'],
    ])
  })

  test('YAML syntax errors and a missing name or steps are placed on their line', () => {
    expect(problemsOf('name: n\nsteps:\n  - connect: { client: a\n')[0]).toMatchObject({
      line: expect.any(Number),
      step: null,
      message: expect.stringMatching(/^not valid YAML: /),
    })
    expect(problemsOf('steps: []\n').map((p) => p.message)).toEqual([
      'missing "name"',
      'steps: must NOT have fewer than 1 items',
    ])
  })

  test('a JSON file is placed on its lines too', () => {
    const json = JSON.stringify(
      { name: 'n', steps: [{ connect: { client: 'a', clientId: 'a', keepalive: -1 } }] },
      null,
      2,
    )
    const [problem] = problemsOf(json, 'bad.json')
    expect(problem).toMatchObject({ file: 'bad.json', step: 1 })
    expect(json.split('\n')[(problem?.line ?? 0) - 1]).toContain('"keepalive": -1')
  })

  test('every problem of every file is reported at once; a missing file is unreadable', async () => {
    const dir = tempDir()
    const one = join(dir, 'one.yaml')
    const two = join(dir, 'two.yaml')
    writeFileSync(one, 'name: one\nsteps:\n  - drop: a\n')
    writeFileSync(two, 'name: two\nsteps:\n  - wait: { client: a, until: later }\n')
    const err = await loadScenarioFiles([one, two]).catch((e: unknown) => e)
    expect((err as ScenarioFileError).message.split('\n')).toEqual([
      `${one}:3: step 1: drop: client "a" is used before any step connects it`,
      `${two}:3: step 1: wait.until: must be one of closed, pong`,
    ])
    const missing = await loadScenarioFiles([join(dir, 'nope.yaml')]).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'SCENARIO_UNREADABLE' })
    expect((missing as Error).message).toMatch(/nope\.yaml: cannot read: ENOENT/)
  })
})
