import { expect, it, onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { startChildBroker } from '../helpers/child-broker.ts'
import { runCrashCycles } from './harness/cycles.ts'
import { destroyAllPeers } from './harness/peer.ts'
import { seededRandom } from './harness/random.ts'

// The durability promise under mixed traffic: QoS 1 and QoS 2 publishers at
// once, one persistent subscriber online (granted QoS 2) and one offline
// (granted QoS 1), the broker killed with SIGKILL after a random number of
// acknowledgements. The same harness runs against Mosquitto in
// `bench/crash-loss.ts`, where it counts what is lost instead of failing.

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CYCLES = 20

it(`loses no acknowledged message, duplicates no QoS 2 message and keeps every session over ${CYCLES} kill -9s`, async () => {
  console.log(`mixed crash test seed ${SEED} (repeat with CRASH_SEED=${SEED})`)
  onTestFinished(destroyAllPeers)
  const dataDir = tempDir('sessionlab-crash-mixed-')
  const args = ['--store', 'sqlite', '--data-dir', dataDir]
  const ports = ['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']

  const result = await runCrashCycles({
    cycles: CYCLES,
    random: seededRandom(SEED),
    patienceMs: 15_000,
    log: (line) => console.log(line),
    start: async () => {
      const broker = await startChildBroker([...args, ...ports])
      return {
        url: broker.mqttUrl,
        kill9: async () => {
          expect((await broker.kill('SIGKILL')).signal).toBe('SIGKILL')
        },
      }
    },
  })

  expect(result.cycles).toHaveLength(CYCLES)
  for (const r of result.cycles) {
    const where = `cycle ${r.cycle}`
    expect(r.acked.q1, `${where}: QoS 1 traffic before the kill`).toBeGreaterThan(0)
    expect(r.acked.q2, `${where}: QoS 2 traffic before the kill`).toBeGreaterThan(0)
    expect(r.sessionPresent, where).toEqual({
      publisherQ2: true,
      subscriberQ2: true,
      subscriberQ1: true,
    })
    expect(r.publisherFinished, where).toBe(true)
    expect(r.lost, where).toEqual({ subscriberQ2: 0, subscriberQ1: 0 })
    expect(r.duplicatesQoS2, `${where}: QoS 2 delivered more than once`).toBe(0)
    expect(r.probeDelivered, `${where}: subscriptions intact`).toEqual({
      subscriberQ2: true,
      subscriberQ1: true,
    })
  }
  expect(result.problems).toEqual([])
}, 180_000)
