import { statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { startDashboard, Viewer } from './viewer-client.ts'

test('a cookie issued before a restart on the same data dir is still valid', async () => {
  const dataDir = tempDir()
  const first = await startDashboard({ dataDir })
  const viewer = new Viewer(first)
  await viewer.open()
  const cookie = viewer.cookie
  await first.close()

  const file = join(dataDir, 'cookie-secret')
  expect(statSync(file).mode & 0o777).toBe(0o600)

  const second = await startDashboard({ dataDir })
  const again = new Viewer(second)
  again.cookie = cookie
  expect((await again.fetch('/ui/view')).status).toBe(200)
})

test('another data dir has another secret: the cookie is refused there', async () => {
  const first = await startDashboard({ dataDir: tempDir() })
  const viewer = new Viewer(first)
  await viewer.open()
  const second = await startDashboard({ dataDir: tempDir() })
  const stranger = new Viewer(second)
  stranger.cookie = viewer.cookie
  expect((await stranger.fetch('/ui/view')).status).toBe(403)
})

test('a configured secret is used instead of the data dir', async () => {
  const a = await startDashboard({ dataDir: tempDir() }, { cookieSecret: 'shared' })
  const b = await startDashboard({ dataDir: tempDir() }, { cookieSecret: 'shared' })
  const viewer = new Viewer(a)
  await viewer.open()
  const other = new Viewer(b)
  other.cookie = viewer.cookie
  expect((await other.fetch('/ui/view')).status).toBe(200)
})
