import { PacketClient } from '../mqtt/packet-client.ts'
import type { BrokerUrl } from '../mqtt/url.ts'
import type { ScenarioContext } from './steps/index.ts'

/**
 * Leaves the broker as the scenario found it: closes every connection with
 * DISCONNECT (no Wills), ends each persistent session it opened with a
 * CleanSession=1 connect, and clears the retained messages it set. Best
 * effort: a broker that misbehaves here has already been judged by the steps.
 */
export async function removeLeftovers(ctx: ScenarioContext): Promise<void> {
  const ms = ctx.timeoutMs
  await Promise.all(
    [...ctx.clients.values()].map((c) => (c.closed ? undefined : c.disconnect(ms).catch(() => {}))),
  )
  await Promise.all(
    [...ctx.leftovers.sessions].map((clientId) =>
      withClient(ctx.url, clientId, ms, async () => {}).catch(() => {}),
    ),
  )
  if (ctx.leftovers.retained.size === 0) return
  await withClient(ctx.url, ctx.ns.clientId('cleanup'), ms, async (client) => {
    for (const topic of ctx.leftovers.retained) {
      const messageId = client.allocateId()
      client.send({
        cmd: 'publish',
        topic,
        payload: Buffer.alloc(0),
        qos: 1,
        retain: true,
        dup: false,
        messageId,
      })
      await client.next('puback', ms, (p) => p.messageId === messageId)
    }
  }).catch(() => {})
}

async function withClient(
  url: BrokerUrl,
  clientId: string,
  ms: number,
  use: (client: PacketClient) => Promise<void>,
): Promise<void> {
  const client = await PacketClient.open(url, ms)
  try {
    await client.connect({ clientId, clean: true, keepalive: 0, protocolVersion: 4 }, ms)
    await use(client)
    await client.disconnect(ms)
  } finally {
    if (!client.closed) await client.destroy(ms).catch(() => {})
  }
}
