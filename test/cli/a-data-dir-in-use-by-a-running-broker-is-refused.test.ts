import { connectAsync } from 'mqtt'
import { expect, it, onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { sqliteArgs, startChildBroker } from '../helpers/child-broker.ts'

// Two brokers on one store would each take the other's connected clients for
// the leftovers of a crash: the second publishes the first one's live Wills
// at start-up and both deliver from the same queues.
it('refuses to start on a data dir whose store a running broker holds, naming it', async () => {
  const dataDir = tempDir()
  const running = await startChildBroker(sqliteArgs(dataDir))
  const owner = await connectAsync(running.mqttUrl, {
    clientId: 'live-owner',
    reconnectPeriod: 0,
    will: {
      topic: 'will/live-owner',
      payload: Buffer.from('still connected'),
      qos: 1,
      retain: false,
    },
  })
  onTestFinished(() => owner.endAsync(true))

  const outcome = await startChildBroker(sqliteArgs(dataDir)).then(
    async (second) => ({ started: true, output: (await second.kill('SIGKILL')).stdout }),
    (err: Error) => ({ started: false, output: err.message }),
  )

  expect(outcome.output).not.toMatch(/published \d+ Will\(s\)/)
  expect(outcome.started).toBe(false)
  expect(outcome.output).toContain(dataDir)
})
