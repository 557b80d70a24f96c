import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { openRedisStore } from '../../broker/store/redis/index.ts'

/** A port nothing listens on: taken from the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

describe('the redis store', () => {
  it('fails fast with REDIS_UNREACHABLE naming the URL, without its password', async () => {
    const port = await closedPort()
    const url = `redis://:secret@127.0.0.1:${port}`

    const opening = openRedisStore({ url })

    await expect(opening).rejects.toMatchObject({ code: 'REDIS_UNREACHABLE' })
    await expect(opening).rejects.toThrow(`127.0.0.1:${port}`)
    await expect(opening).rejects.not.toThrow('secret')
  })
})
