import type { MqttClient } from 'mqtt'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { dashboard } from '../../web/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import {
  chromiumAvailable,
  docsScreenshot,
  mqttClient,
  newPage,
  openBrowser,
  screenshot,
} from './browser.ts'

const CHARTS = ['chart-sessions', 'chart-queued', 'chart-rates', 'chart-drops']

/**
 * A broker on a manual clock (samples are taken when the test moves it)
 * with a queue cap of 2: `sub` online, `away` offline, `pub` publishing to
 * both on `plant/#`.
 */
async function setUp() {
  const clock = new ManualClock()
  const broker = await startBroker(
    { store: 'memory', queueMaxMessages: 2 },
    { clock, http: dashboard() },
  )
  const changes = new SessionChanges(broker.sessions)
  const sampler = broker.history.sampler
  await sampler.sampleNow() // the one taken at start
  const sub = await mqttClient(broker, { clientId: 'sub', clean: false })
  await sub.subscribeAsync('plant/#', { qos: 1 })
  const away = await mqttClient(broker, { clientId: 'away', clean: false })
  await away.subscribeAsync('plant/#', { qos: 1 })
  await away.endAsync()
  await changes.next('disconnect', 'away')
  const pub = await mqttClient(broker, { clientId: 'pub' })
  const tick = async () => {
    clock.advance(sampler.intervalMs)
    await sampler.sampleNow()
  }
  return { broker, clock, sub, pub, tick }
}

/** Publishes `n` QoS 1 messages and waits until `sub` has them all (so they are counted as sent). */
async function publish(pub: MqttClient, sub: MqttClient, n: number) {
  const delivered = new Promise<void>((resolve) => {
    let seen = 0
    const onMessage = () => {
      if (++seen < n) return
      sub.off('message', onMessage)
      resolve()
    }
    sub.on('message', onMessage)
  })
  await Promise.all(
    Array.from({ length: n }, (_, i) => pub.publishAsync('plant/t', `${i}`, { qos: 1 })),
  )
  await delivered
}

async function openOverview(broker: BrokerHandle, width = 1200): Promise<Page> {
  const page = await newPage(await openBrowser())
  await page.setViewportSize({ width, height: 900 })
  await page.goto(`${broker.urls.http}/overview`)
  // read once at load and once when the live channel opened
  await page.locator('#overview[data-loads="2"]').waitFor()
  return page
}

function card(page: Page, id: string) {
  return page.locator(`#card-${id} .value`).getAttribute('data-value')
}

/**
 * Pixels of a chart's canvas that are not transparent: uPlot drew it. (Run
 * in the page, as text: the tests' TypeScript has no DOM types.)
 */
async function drawnPixels(page: Page, chart: string): Promise<number> {
  const drawn = await page.evaluate(`(() => {
    const canvas = document.querySelector('#${chart} canvas')
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    let drawn = 0
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++
    return drawn
  })()`)
  return Number(drawn)
}

describe.skipIf(!chromiumAvailable())('in Chromium', () => {
  test('the cards show the broker now, the charts the samples taken before the page opened, and each live sample is added without reload', async () => {
    const { broker, sub, pub, tick } = await setUp()
    await tick()
    // 5 messages in 5 s: 1/s in, 1/s out (to sub); away keeps 2 of them and drops 3
    await publish(pub, sub, 5)
    await tick()

    const page = await openOverview(broker)
    // three samples, all taken before the page was opened, drawn in every chart
    for (const chart of CHARTS) {
      await page.locator(`#${chart}[data-points="3"]`).waitFor()
      expect(await drawnPixels(page, chart)).toBeGreaterThan(0)
    }
    expect(await card(page, 'connections')).toBe('2')
    expect(await card(page, 'online')).toBe('2')
    expect(await card(page, 'offline')).toBe('1')
    expect(await card(page, 'queued')).toBe('2')
    expect(await card(page, 'in')).toBe('1')
    expect(await card(page, 'out')).toBe('1')
    expect(await card(page, 'drops')).toBe('3')
    await expect(page.locator('#card-in .value').textContent()).resolves.toBe('1/s')

    // live: 10 more messages, one more sample, pushed over the channel
    await publish(pub, sub, 10)
    await tick()
    for (const chart of CHARTS) await page.locator(`#${chart}[data-points="4"]`).waitFor()
    await page.locator('#card-in .value[data-value="2"]').waitFor()
    expect(await card(page, 'drops')).toBe('13')
    expect(await page.locator('#overview').getAttribute('data-updates')).toBe('1')
    await screenshot(page, 'overview')
  })

  test('at a phone width of 360 px the overview has no horizontal scrollbar: cards wrap, charts shrink', async () => {
    const { broker, sub, pub, tick } = await setUp()
    for (let i = 0; i < 10; i++) {
      await publish(pub, sub, 1 + (i % 4))
      await tick()
    }
    const page = await openOverview(broker, 360)
    await page.locator('#chart-rates[data-points="11"]').waitFor()
    const [scroll, client] = (await page.evaluate(
      '[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]',
    )) as number[]
    expect(client).toBeGreaterThan(300)
    expect(scroll).toBeLessThanOrEqual(client ?? 0)
    const widest = await page
      .locator('.chart canvas')
      .evaluateAll((canvases) => Math.max(...canvases.map((c) => c.getBoundingClientRect().right)))
    expect(widest).toBeLessThanOrEqual(360)
    await screenshot(page, 'overview-360')
  })

  // SCREENSHOTS=1 npx vitest run <this file>: rewrites docs/img/overview.png (committed)
  test('ten minutes of a small fleet fill every chart, as the screenshot in the docs shows', async () => {
    const { broker, sub, pub, tick } = await setUp()
    const devices: MqttClient[] = []
    for (let i = 0; i < 120; i++) {
      // devices come and go (some of them for good), traffic rises and falls
      if (i % 8 === 0) {
        const device = await mqttClient(broker, { clientId: `dev-${i}`, clean: false })
        await device.subscribeAsync('plant/#', { qos: 1 })
        devices.push(device)
      }
      if (i % 12 === 6) await devices.shift()?.endAsync()
      await publish(pub, sub, 4 + Math.round(3 * Math.sin(i / 7)) + (i % 30 === 0 ? 8 : 0))
      await tick()
    }
    const page = await openOverview(broker, 1100)
    // 120 ticks and the sample taken at start, in every chart
    for (const chart of CHARTS) await page.locator(`#${chart}[data-points="121"]`).waitFor()
    for (const chart of CHARTS) expect(await drawnPixels(page, chart)).toBeGreaterThan(0)
    const { width } = await docsScreenshot(page, 'overview')
    expect(width).toBe(1100)
  }, 60_000)
})
