import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, onTestFinished, test } from 'vitest'
import { probeSessionApi } from '../../clients/sim/held.ts'
import { simulate } from '../../clients/sim/main.ts'
import { formatMarkdown } from '../../clients/sim/report.ts'
import { startBroker } from '../helpers/broker.ts'
import { captureIo } from './io.ts'

/** A stand-in for SessionLab's `GET /api/sessions[/:clientId]`: every session holds 100 queued bytes. */
async function fakeApi(): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = []
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    asked.push(path)
    res.setHeader('content-type', 'application/json')
    if (path === '/api/sessions') {
      res.end(
        JSON.stringify({ sessions: [], next: null, counts: { online: 0, offline: 0, total: 0 } }),
      )
    } else if (path.startsWith('/api/sessions/') && !path.endsWith('/unknown')) {
      res.end(
        JSON.stringify({
          clientId: decodeURIComponent(path.slice(14)),
          queue: { count: 2, bytes: 100, oldestAgeMs: 5 },
        }),
      )
    } else {
      res.statusCode = 404
      res.end(JSON.stringify({ code: 'SESSION_NOT_FOUND' }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked }
}

const base = {
  seed: 1,
  devices: 2,
  strategies: ['persistent' as const],
  rate: 500,
  qos: 1 as const,
  messages: 20,
  offlineMeanMs: 10,
  onlineMeanMs: 10,
  payloadBytes: 8,
  settleMs: 1000,
  reportMd: null,
  reportJson: null,
  json: false,
  help: false,
}

test('the probe sums queue.bytes per session and counts an unknown session as 0', async () => {
  const api = await fakeApi()
  const probe = await probeSessionApi(`${api.url}/`)
  if (!('api' in probe)) throw new Error(probe.unavailable)
  expect(await probe.bytesHeld(['a', 'b/c', 'unknown'])).toBe(200)
  expect(api.asked).toEqual([
    '/api/sessions',
    '/api/sessions/a',
    '/api/sessions/b%2Fc',
    '/api/sessions/unknown',
  ])
})

test('with an API the report has a bytes-held column; without one it is left out and says why', async () => {
  const [broker, api] = await Promise.all([startBroker({ store: 'memory' }), fakeApi()])
  const withApi = await simulate({ ...base, broker: broker.urls.mqtt, api: api.url })
  expect(withApi.heldBytes).toEqual({ api: api.url })
  expect(withApi.strategies[0]?.heldBytesPeak).toBe(200)
  expect(formatMarkdown(withApi)).toMatch(
    /\| peak bytes held \|\n.*\n\| persistent \| .* \| 200 \|/,
  )

  const io = captureIo()
  const without = await simulate(
    { ...base, broker: broker.urls.mqtt, api: 'http://127.0.0.1:1' },
    io,
  )
  expect(without.strategies[0]?.heldBytesPeak).toBeNull()
  expect(io.err).toMatch(
    /^bytes held left out: http:\/\/127\.0\.0\.1:1\/api\/sessions: fetch failed/,
  )
  const markdown = formatMarkdown(without)
  expect(markdown).not.toContain('bytes held |')
  expect(markdown).toContain('- server-side bytes held: left out: http://127.0.0.1:1/api/sessions')
})
