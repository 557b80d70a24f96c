import { expect, test } from 'vitest'
import { runClientCommand } from '../../clients/cli.ts'
import { LIBRARY_DIR } from '../../clients/scenario/library.ts'
import { startBroker } from '../helpers/broker.ts'
import { captureIo } from './io.ts'
import { mosquittoAvailable, startMosquitto } from './mosquitto.ts'

const takeover = `${LIBRARY_DIR}mqtt5-takeover-sends-disconnect-session-taken-over.yaml`

test.skipIf(!mosquittoAvailable())(
  '--vs over MQTT 5 lists where SessionLab and Mosquitto differ, with the known reason',
  async () => {
    const [sessionlab, mosquitto] = await Promise.all([startBroker(), startMosquitto()])
    const io = captureIo()
    const code = await runClientCommand(
      ['scenario', 'run', takeover, '--broker', sessionlab.urls.mqtt, '--vs', mosquitto],
      io,
    )
    expect(code).toBe(1) // Mosquitto failed the expectation
    expect(io.out).toMatch(
      /^mqtt5-takeover-sends-disconnect-session-taken-over +PASS 5\/5 +FAIL 4\/5$/m,
    )
    expect(io.out).toContain(
      [
        `1 difference(s) between A = ${sessionlab.urls.mqtt} and B = ${mosquitto}:`,
        '  mqtt5-takeover-sends-disconnect-session-taken-over step 3 (line 12) expect-disconnect first',
        '    A: DISCONNECT from the broker, reason code 0x8E (142)',
        '    B: no DISCONNECT',
        '    known difference with mosquitto 2.0: Mosquitto 2.0.11 closes the connection that is taken over without sending it DISCONNECT',
      ].join('\n'),
    )
  },
)
