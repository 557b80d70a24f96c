import { createServer, type Server } from 'node:net'
import { expect, it, onTestFinished } from 'vitest'
import { tempDir } from '../helpers/broker.ts'
import { runCli } from '../helpers/child-broker.ts'

async function occupyPort(): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

it.each(['--mqtt-port', '--ws-port'])(
  'exits 2 with LISTEN_FAILED naming the port when %s is taken',
  async (flag) => {
    const port = await occupyPort()
    const ports = { '--mqtt-port': '0', '--ws-port': '0', [flag]: String(port) }
    const result = await runCli([
      '--store',
      'sqlite',
      '--data-dir',
      tempDir(),
      ...Object.entries(ports).flat(),
      '--http-port',
      '0',
    ])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`127.0.0.1:${port}`)
    expect(result.stderr).toContain('EADDRINUSE')
    expect(result.stderr).toMatch(/\[LISTEN_FAILED\]\n$/)
  },
)
