import { type ChildProcess, spawn } from 'node:child_process'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { BrokerHandle } from '../../broker/broker.ts'
import { startBroker } from '../helpers/broker.ts'
import { ManualClock } from '../helpers/manual-clock.ts'
import { connect5 } from '../helpers/mqtt5.ts'
import { SessionChanges } from '../helpers/session-changes.ts'
import { MOSQUITTO_SUB, mosquittoSubAvailable } from '../helpers/tls.ts'

// Mosquitto's own client as the MQTT 5 peer: -V mqttv5, -c (Clean Start=0),
// -x (Session Expiry Interval), -d (prints each packet it receives).

interface Sub {
  child: ChildProcess
  /** Resolves once its output matched `pattern`; rejects if it exits first. */
  printed(pattern: RegExp): Promise<string>
  exited: Promise<number | null>
}

function mosquittoSub(broker: BrokerHandle, args: string[]): Sub {
  const port = new URL(broker.urls.mqtt).port
  // stdbuf: line-buffered output through the pipe (see test/helpers/tls.ts)
  const child = spawn(
    '/usr/bin/stdbuf',
    ['-oL', MOSQUITTO_SUB, '-d', '-V', 'mqttv5', '-h', '127.0.0.1', '-p', port, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const waiters: (() => void)[] = []
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    for (const wake of waiters.splice(0)) wake()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return {
    child,
    exited,
    async printed(pattern) {
      let gone = false
      void exited.then(() => {
        gone = true
        for (const wake of waiters.splice(0)) wake()
      })
      for (;;) {
        if (pattern.test(output)) return output
        if (gone) throw new Error(`mosquitto_sub exited without printing ${pattern}:\n${output}`)
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
  }
}

describe.runIf(mosquittoSubAvailable())('mosquitto_sub -V mqttv5', () => {
  test('taken over by another connection of its ClientID, it gets DISCONNECT 0x8E', async () => {
    const broker = await startBroker({ store: 'memory' })
    const sub = mosquittoSub(broker, ['-c', '-i', 'dev', '-x', '60', '-t', 't'])
    await sub.printed(/received SUBACK/)
    await connect5(broker.urls.mqtt, {
      clientId: 'dev',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    })
    await sub.printed(/Received DISCONNECT \(142\)/)
  })

  test('-x 60: its session keeps a message for it for 60 s, then ends', async () => {
    const clock = new ManualClock()
    const broker = await startBroker({ sysInterval: 0 }, { clock })
    const changes = new SessionChanges(broker.sessions)
    const args = ['-c', '-i', 'dev', '-x', '60', '-q', '1', '-t', 'cmd/dev']
    // -E: exits once subscribed, leaving its session behind
    expect(await mosquittoSub(broker, [...args, '-E']).exited).toBe(0)
    await changes.next('disconnect', 'dev')
    const { client: pub } = await connect5(broker.urls.mqtt, { clientId: 'pub' })
    await pub.publishAsync('cmd/dev', 'while away', { qos: 1 })
    await broker.store.flush()

    clock.advance(60_000 - 1)
    // -C 1: back within the interval, it gets what was queued, and leaves again
    const back = mosquittoSub(broker, [...args, '-C', '1'])
    expect(await back.printed(/^while away$/m)).toMatch(/received CONNACK/)
    expect(await back.exited).toBe(0)
    await changes.next('disconnect', 'dev')
    await broker.store.flush()
    expect(await broker.sessions.get('dev')).toMatchObject({ connected: false })

    clock.advance(60_000)
    expect((await changes.next('expired', 'dev')).event.idleMs).toBe(60_000)
    expect(await broker.sessions.get('dev')).toBeNull()
  })
})
