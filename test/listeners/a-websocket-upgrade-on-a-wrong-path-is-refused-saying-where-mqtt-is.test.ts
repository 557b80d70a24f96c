import { request } from 'node:http'
import { connect } from 'mqtt'
import { expect, onTestFinished, test } from 'vitest'
import { startBroker } from '../helpers/broker.ts'

/** What the listener answers a WebSocket upgrade to `path`, and whether it then closed. */
function upgrade(wsUrl: string, path: string) {
  const { port } = new URL(wsUrl)
  return new Promise<{ status: number; body: string; closed: boolean }>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': 'mqtt',
      },
    })
    req.once('upgrade', () => reject(new Error(`upgraded on ${path}`)))
    req.once('error', reject)
    req.once('response', (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      // 'close' of the socket, not only the end of the body: the broker hangs up
      res.socket.once('close', () => resolve({ status: res.statusCode ?? 0, body, closed: true }))
    })
    req.end()
  })
}

test('an upgrade on another path gets 404 saying where MQTT is, and the connection closed', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { port } = new URL(broker.urls.ws)
  for (const path of ['/', '/mqt', '/mqtt/', '/ws?x=1']) {
    expect(await upgrade(broker.urls.ws, path), path).toEqual({
      status: 404,
      body: `MQTT over WebSocket is at ws://127.0.0.1:${port}/mqtt\n`,
      closed: true,
    })
  }
})

test('a query string on the right path still upgrades', async () => {
  const broker = await startBroker({ store: 'memory' })
  const client = connect(`${broker.urls.ws}?token=1`, { reconnectPeriod: 0, clientId: 'query' })
  onTestFinished(() => client.endAsync(true))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('close', () => reject(new Error('closed')))
  })
})

test('an mqtt.js client on a wrong path is closed at once instead of waiting', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { port } = new URL(broker.urls.ws)
  const client = connect(`ws://127.0.0.1:${port}/`, { reconnectPeriod: 0, clientId: 'lost' })
  onTestFinished(() => client.endAsync(true))
  let connected = false
  client.once('connect', () => {
    connected = true
  })
  // no timer here: the test's own timeout is the only limit, and a listener that
  // left the socket open would never get this far
  await new Promise<void>((resolve) => client.once('close', () => resolve()))
  expect(connected).toBe(false)
})

test('a plain GET gets 426 with the full address', async () => {
  const broker = await startBroker({ store: 'memory' })
  const { port } = new URL(broker.urls.ws)
  const answer = await fetch(`http://127.0.0.1:${port}/anything`)
  expect(answer.status).toBe(426)
  expect(await answer.text()).toBe(`MQTT over WebSocket is at ws://127.0.0.1:${port}/mqtt\n`)
})
