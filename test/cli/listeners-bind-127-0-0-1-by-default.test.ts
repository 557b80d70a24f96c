import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { startChildBroker } from '../helpers/child-broker.ts'

const args = ['--store', 'memory', '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']

it('defaults the host to 127.0.0.1', () => {
  expect(loadConfig([])).toMatchObject({ config: { host: '127.0.0.1' } })
})

it('prints loopback addresses when no --host is given', async () => {
  const broker = await startChildBroker(args)
  expect(broker.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:[1-9]\d*$/)
  expect(broker.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:[1-9]\d*\/mqtt$/)
})

// Another address of this machine: one that is not loopback if it has one,
// else 127.0.0.2 (Linux routes all of 127/8 to lo; a listener bound to
// 127.0.0.1 refuses it just the same).
const external =
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.2'

it('refuses connections on the other addresses of the machine', async () => {
  const broker = await startChildBroker(args)
  for (const url of [broker.mqttUrl, broker.wsUrl]) {
    const port = Number(new URL(url).port)
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(port, external)
      socket.once('connect', () => {
        socket.destroy()
        resolve('connected')
      })
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    })
    expect(outcome, `${external}:${port}`).toBe('ECONNREFUSED')
  }
})
