import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { onTestFinished } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { tempDir } from '../helpers/broker.ts'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Whether the real-browser tests can run. In CI (`CI=true`) a missing
 * Chromium is an error — `.ci/run` installs Debian's chromium — so those tests
 * fail there rather than skip; elsewhere they are skipped.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing; .ci/run installs the Debian chromium package`)
  }
  return false
}

/**
 * Headless Debian Chromium with a new empty profile, closed when the test
 * ends; `extraArgs` are more command-line flags (a certificate pin, say).
 */
export async function openBrowser(extraArgs: string[] = []): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(tempDir('sessionlab-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  })
  onTestFinished(() => context.close())
  return context
}

/** A page that fails the test on any script error or CSP violation it reports. */
export async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  // fail with the locator that never matched, well inside the test's timeout
  page.setDefaultTimeout(8000)
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(err.message))
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || /WebSocket|ERR_CONNECTION/.test(msg.text())) return
    // a session page reading a session that was just deleted gets its 404, as it should
    // (its own read, its queue's or its queue depth's)
    if (/\/api\/sessions\/[^/?]+(\/queue(-depth)?)?(\?.*)?$/.test(msg.location().url)) return
    problems.push(`${msg.text()} (${msg.location().url})`)
  })
  onTestFinished(() => {
    if (problems.length > 0) throw new Error(`the page reported: ${problems.join('; ')}`)
  })
  return page
}

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts')

/** Keeps a screenshot of the page under `test-artifacts/` (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/**
 * A screenshot for the docs: taken on every run, so the page it shows is
 * known to render, and written over `docs/img/<name>.png` (committed) only
 * when SCREENSHOTS=1; otherwise to the test artifacts. Returns the PNG's
 * width and height, read from its header, for the test to check.
 */
export async function docsScreenshot(
  page: Page,
  name: string,
): Promise<{ width: number; height: number }> {
  const dir =
    process.env.SCREENSHOTS === '1'
      ? join(import.meta.dirname, '..', '..', 'docs', 'img')
      : ARTIFACTS
  mkdirSync(dir, { recursive: true })
  const png = await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
  // the signature, then IHDR: width and height as 32-bit big-endian at bytes 16 and 20
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error(`the screenshot ${name} is not a PNG`)
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

/** Logs in through the login page with the broker's admin token. */
export async function logIn(page: Page, broker: BrokerHandle): Promise<void> {
  await page.goto(`${broker.urls.http}/login`)
  await page.locator('#token').fill(broker.adminToken.token)
  await page.locator('#login button[type=submit]').click()
  await page.waitForURL(`${broker.urls.http}/`)
  await page.locator('#login-link', { hasText: 'Operator (logged in)' }).waitFor()
}

/** An `mqtt` client of the current test, ended when it finishes. */
export async function mqttClient(
  broker: BrokerHandle,
  options: mqtt.IClientOptions,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.urls.mqtt, { reconnectPeriod: 0, ...options })
  onTestFinished(() => client.endAsync(true))
  return client
}

/** The session list's row of a ClientID (matched by attribute, whatever characters it holds). */
export function row(page: Page, clientId: string) {
  return page.locator('#session-rows tr').filter({
    has: page.locator('td.client-id', { hasText: clientId }),
  })
}
