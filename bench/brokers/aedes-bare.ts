/**
 * Plain aedes with its default in-memory persistence and nothing else: the floor SessionLab
 * builds on. Prints `mqtt://127.0.0.1:PORT` once it listens; exits 0 on SIGTERM.
 */
import net from 'node:net'
import { Aedes } from 'aedes'

const broker = await Aedes.createBroker()
const server = net.createServer(broker.handle)

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address')
  console.log(`aedes-bare listening on mqtt://127.0.0.1:${address.port}`)
})

function shutdown(): void {
  server.close()
  broker.close(() => process.exit(0))
}

process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
