import { expect, test } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { isSessionLabError } from '../../broker/errors.ts'

/** The CONFIG_INVALID message of a refused configuration. */
function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env)
  } catch (err) {
    if (isSessionLabError(err) && err.code === 'CONFIG_INVALID') return err.message
    throw err
  }
  throw new Error(`accepted: ${argv.join(' ')}`)
}

test('a log level or format outside the choices is refused, naming the flag, the value and the choices', () => {
  expect(refusal(['--log-level', 'verbose'])).toBe(
    '--log-level: expected one of error, warn, info, debug, got "verbose"',
  )
  expect(refusal(['--log-format', 'yaml'])).toBe(
    '--log-format: expected one of text, json, got "yaml"',
  )
  expect(refusal([], { SESSIONLAB_LOG_FORMAT: 'pretty' })).toContain('SESSIONLAB_LOG_FORMAT')
})

test('the ended-session bounds are refused outside their ranges', () => {
  expect(refusal(['--ended-sessions', '100001'])).toBe(
    '--ended-sessions: expected an integer 0-100000, got "100001"',
  )
  expect(refusal(['--ended-session-ttl', '0'])).toBe(
    '--ended-session-ttl: expected an integer 1-2592000, got "0"',
  )
})

test('the defaults: info, text, 1000 ended sessions kept for an hour; each settable', () => {
  const defaults = loadConfig([])
  const set = loadConfig(
    ['--log-level', 'debug', '--ended-sessions', '0', '--ended-session-ttl', '60'],
    { SESSIONLAB_LOG_FORMAT: 'json' },
  )
  if (!('config' in defaults) || !('config' in set)) throw new Error('help instead of a config')
  expect(defaults.config).toMatchObject({
    logLevel: 'info',
    logFormat: 'text',
    endedSessions: 1000,
    endedSessionTtl: 3600,
  })
  expect(set.config).toMatchObject({
    logLevel: 'debug',
    logFormat: 'json',
    endedSessions: 0,
    endedSessionTtl: 60,
  })
})
