import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { client, startNode } from '../cluster/cluster.ts'
import { redisAvailable, startRedis } from '../helpers/redis-server.ts'
import { chromiumAvailable, newPage, openBrowser, screenshot } from './browser.ts'

describe.skipIf(!chromiumAvailable() || !redisAvailable())('in Chromium, on a cluster', () => {
  let redis: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  test("node A's dashboard shows a session connected to node B, and which node holds it", async () => {
    const a = await startNode(redis.url, 'node-a')
    const b = await startNode(redis.url, 'node-b')
    const page = await newPage(await openBrowser())
    await page.goto(`${a.httpUrl}/`)

    await client(b.mqttUrl, { clientId: 'far-device', clean: false })
    const far = page.locator('#session-rows tr').filter({
      has: page.locator('td.client-id', { hasText: 'far-device' }),
    })
    await far.locator('td.state', { hasText: 'online @ node-b' }).waitFor()
    await screenshot(page, 'cluster-sessions')

    await far.locator('td.client-id a').click()
    await page.waitForURL(/\/sessions\/far-device$/)
    await page.locator('dd[data-field="cluster node"]', { hasText: 'node-b' }).waitFor()
    await expect(page.locator('dd[data-field="state"]').textContent()).resolves.toBe('online')
  })
})
