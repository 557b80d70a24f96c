import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { type BrokerHandle, createBroker } from '../../broker/broker.ts'
import { type Config, loadConfig } from '../../broker/config.ts'

export type Transport = 'tcp' | 'ws'
export const transports: Transport[] = ['tcp', 'ws']

/** The defaults, on free ports, for one test's own broker. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const loaded = loadConfig([])
  if ('help' in loaded) throw new Error('unexpected help')
  return { ...loaded.config, mqttPort: 0, wsPort: 0, httpPort: 0, store: 'memory', ...overrides }
}

export function tempDir(prefix = 'sessionlab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Starts a broker owned by the current test and closed when it finishes.
 * `store: 'sqlite'` gets a fresh data dir unless one is given.
 */
export async function startBroker(overrides: Partial<Config> = {}): Promise<BrokerHandle> {
  const dataDir =
    overrides.dataDir ?? (overrides.store === 'sqlite' ? tempDir() : join(tmpdir(), 'unused'))
  const broker = await createBroker(testConfig({ ...overrides, dataDir }))
  onTestFinished(() => broker.close())
  return broker
}

export function urlFor(broker: BrokerHandle, transport: Transport): string {
  return transport === 'tcp' ? broker.urls.mqtt : broker.urls.ws
}
