import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { type BrokerDeps, type BrokerHandle, createBroker } from '../../broker/broker.ts'
import { type Config, loadConfig } from '../../broker/config.ts'

export type Transport = 'tcp' | 'ws'
export const transports: Transport[] = ['tcp', 'ws']
/** Every transport on every store, for the rules that touch the store. */
export const transportsAndStores = transports.flatMap((transport) =>
  (['sqlite', 'memory'] as const).map((store) => [transport, store] as const),
)

/** The defaults, on free ports (the TLS ones too, used once a certificate is set), for one test's own broker. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const loaded = loadConfig([])
  if ('help' in loaded) throw new Error('unexpected help')
  const ports = { mqttPort: 0, wsPort: 0, httpPort: 0, mqttsPort: 0, wssPort: 0 }
  return { ...loaded.config, ...ports, ...overrides }
}

export function tempDir(prefix = 'sessionlab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Starts a broker owned by the current test and closed when it finishes, on
 * the default (sqlite) store in a fresh data dir unless told otherwise.
 */
export async function startBroker(
  overrides: Partial<Config> = {},
  deps: BrokerDeps = {},
): Promise<BrokerHandle> {
  const dataDir = overrides.dataDir ?? tempDir()
  const broker = await createBroker(testConfig({ ...overrides, dataDir }), undefined, deps)
  onTestFinished(() => broker.close())
  return broker
}

export function urlFor(broker: BrokerHandle, transport: Transport): string {
  return transport === 'tcp' ? broker.urls.mqtt : broker.urls.ws
}
