import { expect, test } from 'vitest'
import { startDashboard, Viewer } from './viewer-client.ts'

test('POST /ui/publish needs the CSRF token and a viewer logged in as operator', async () => {
  const broker = await startDashboard()
  const viewer = new Viewer(broker)
  await viewer.open()
  const body = { topic: 'valves/9', payload: 'x' }

  const anonymous = await viewer.post('/ui/publish', body)
  expect(anonymous.status).toBe(401)
  expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })

  await viewer.login()
  const forged = await viewer.post('/ui/publish', body, { 'x-csrf-token': 'AAAA' })
  expect(forged.status).toBe(403)
  expect(await forged.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })

  const published = await viewer.post('/ui/publish', body)
  expect(published.status).toBe(200)
  expect(await published.json()).toEqual({
    published: true,
    topic: 'valves/9',
    qos: 0,
    retain: false,
  })
})
