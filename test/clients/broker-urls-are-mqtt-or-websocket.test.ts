import { expect, test } from 'vitest'
import { parseBrokerUrl } from '../../clients/mqtt/url.ts'

test('mqtt:// defaults to port 1883; ws:// to the path /mqtt', () => {
  expect(parseBrokerUrl('mqtt://broker.local')).toEqual({
    transport: 'tcp',
    host: 'broker.local',
    port: 1883,
    href: 'mqtt://broker.local:1883',
  })
  expect(parseBrokerUrl('mqtt://[::1]:1884')).toMatchObject({ host: '::1', port: 1884 })
  expect(parseBrokerUrl('ws://127.0.0.1:8083')).toEqual({
    transport: 'ws',
    href: 'ws://127.0.0.1:8083/mqtt',
  })
  expect(parseBrokerUrl('ws://h:1/other')).toEqual({ transport: 'ws', href: 'ws://h:1/other' })
})

test.each([
  ['broker.local', /not a URL/],
  ['https://h', /unsupported scheme "https:"/],
  ['mqtt://h:1883/path', /an mqtt:\/\/ URL has no path/],
])('%s is refused', (url, message) => {
  expect(() => parseBrokerUrl(url)).toThrow(message)
})
