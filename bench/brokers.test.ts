import { describe, expect, it } from 'vitest'
import { keepsSessionsOnRestart, parseHttpApiUrl, parseMqttUrl, tellingLine } from './brokers.ts'

describe('parseMqttUrl', () => {
  it('finds the address inside a log line', () => {
    expect(parseMqttUrl('MQTT listening on mqtt://127.0.0.1:40123 (tcp)')).toEqual({
      host: '127.0.0.1',
      port: 40123,
    })
  })

  it('maps wildcard binds to loopback and unbrackets IPv6', () => {
    expect(parseMqttUrl('mqtt://0.0.0.0:1883')).toEqual({ host: '127.0.0.1', port: 1883 })
    expect(parseMqttUrl('mqtt://[::]:1883')).toEqual({ host: '127.0.0.1', port: 1883 })
    expect(parseMqttUrl('mqtt://[::1]:1883')).toEqual({ host: '::1', port: 1883 })
  })

  it('ignores lines without an mqtt URL', () => {
    expect(parseMqttUrl('ws://127.0.0.1:8080 http://127.0.0.1:3000')).toBeUndefined()
  })
})

describe('tellingLine', () => {
  it('prefers the last line that names an error', () => {
    expect(tellingLine('starting\nError: boom\n    at x\n\n')).toBe('Error: boom')
    expect(tellingLine('one\ntwo\n')).toBe('two')
  })
})

describe('parseHttpApiUrl', () => {
  it('finds SessionLab’s HTTP API line and nothing else', () => {
    expect(parseHttpApiUrl('  HTTP API             http://127.0.0.1:36885')).toBe(
      'http://127.0.0.1:36885',
    )
    expect(parseHttpApiUrl('  dashboard            http://127.0.0.1:36885/')).toBeUndefined()
  })
})

describe('keepsSessionsOnRestart', () => {
  it('is false for the in-memory brokers only', () => {
    expect(keepsSessionsOnRestart('sessionlab-memory')).toBe(false)
    expect(keepsSessionsOnRestart('aedes-bare')).toBe(false)
    expect(keepsSessionsOnRestart('sessionlab-sqlite')).toBe(true)
    expect(keepsSessionsOnRestart('mosquitto')).toBe(true)
    expect(keepsSessionsOnRestart('rabbitmq')).toBe(true)
    expect(keepsSessionsOnRestart('sessionlab-redis-2')).toBe(true)
  })
})
