import type { BrokerHandle } from '../../broker/broker.ts'
import { dashboard } from '../../web/index.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { publishPacket } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { mqttClient } from './browser.ts'

/** A payload that would run if it were ever put in the page as markup. */
export const HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
/** Bytes that are not printable text: an ANSI escape, NUL and BEL. */
export const CONTROL = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0x07])

/**
 * A broker serving the dashboard on a manual clock (started ten minutes
 * ago, so times read as a person would see them), and what the session
 * page is for: `dev-42`, a persistent session subscribed to `plant/#` at
 * QoS 2 that took 5 readings (each acknowledged), left two messages in
 * flight (a QoS 1 and a QoS 2), sent a QoS 2 PUBLISH of its own whose
 * PUBREL never came, dropped off the network, and had four messages queued
 * while away — one of them {@link HOSTILE}, one {@link CONTROL} — sampled
 * into its queue-depth history as they came.
 */
export async function deviceWithAQueue() {
  const clock = new ManualClock(Date.now() - 600_000)
  const broker = await startBroker({ store: 'memory' }, { clock, http: dashboard() })
  const changes = new SessionChanges(broker.sessions)
  const depth = broker.history.queueDepth
  const step = async (ms = 5000) => {
    clock.advance(ms)
    await depth.whenIdle()
  }

  const { client: dev } = await RawClient.connect(broker.urls.mqtt, {
    clientId: 'dev-42',
    clean: false,
  })
  await dev.subscribe('plant/#', 2)
  const pub = await mqttClient(broker, { clientId: 'plant-gateway' })
  for (let i = 0; i < 5; i++) {
    await step(20_000)
    await pub.publishAsync('plant/temp', `2${i}.5`, { qos: 1 })
    const reading = await dev.next('publish')
    dev.send({ cmd: 'puback', messageId: reading.messageId })
    await changes.next('delivered', 'dev-42')
  }
  // sent and never acknowledged
  await step()
  await pub.publishAsync('plant/temp', '25.5', { qos: 1 })
  const first = await dev.next('publish')
  await pub.publishAsync('plant/valve', 'open', { qos: 2 })
  const second = await dev.next('publish')
  // the device's own QoS 2 PUBLISH, answered with PUBREC; its PUBREL never sent
  dev.send(publishPacket('dev/42/status', 'rebooting', 2, 5))
  await dev.next('pubrec')
  await dev.destroy()
  await changes.next('disconnect', 'dev-42')

  await step()
  await pub.publishAsync('plant/temp', '26.0', { qos: 1 })
  await step()
  await pub.publishAsync('plant/temp', '26.5', { qos: 1 })
  await pub.publishAsync('plant/cmd', HOSTILE, { qos: 1 })
  await step()
  await pub.publishAsync('plant/raw', CONTROL, { qos: 1 })
  await step()
  return {
    broker,
    clock,
    pub,
    step,
    inflight: [first.messageId as number, second.messageId as number],
  }
}

/** Opens the session page of `dev-42` at a width; resolves once its queue is on screen. */
export async function openSession(
  broker: BrokerHandle,
  page: import('playwright-core').Page,
  clientId = 'dev-42',
) {
  await page.goto(`${broker.urls.http}/sessions/${encodeURIComponent(clientId)}`)
  await page.locator('#live-status[data-state="live"]').waitFor()
  await page.locator('#queue-table tbody tr').first().waitFor()
}
