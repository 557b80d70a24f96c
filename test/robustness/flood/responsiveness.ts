import { RawClient } from '../../helpers/raw-client.ts'

/**
 * A bystander with a persistent session that keeps measuring, one after the
 * other, a PINGREQ round trip and a QoS 1 publish to its own topic (PUBACK
 * and delivery back) while the test loads the broker with something else.
 */
export class Responsiveness {
  readonly latencies: number[] = []
  #running = true
  #failure: Error | undefined
  #loop: Promise<void> = Promise.resolve()
  readonly #waitMs: number

  private constructor(waitMs: number) {
    this.#waitMs = waitMs
  }

  /** `waitMs`: how long one packet of a round trip may take before the round trip fails. */
  static async start(url: string, clientId: string, waitMs = 5000): Promise<Responsiveness> {
    const { client, connack } = await RawClient.connect(url, { clientId, clean: false })
    if (connack.returnCode !== 0) throw new Error(`bystander: CONNACK ${connack.returnCode}`)
    await client.subscribe(`${clientId}/inbox`, 1)
    const self = new Responsiveness(waitMs)
    // kept, not thrown at once: `stop` rethrows a failed round trip
    self.#loop = self.#run(client, clientId).catch((err: unknown) => {
      self.#failure = err instanceof Error ? err : new Error(String(err))
    })
    return self
  }

  async #run(client: RawClient, clientId: string): Promise<void> {
    for (let n = 1; this.#running; n++) {
      const start = performance.now()
      await client.ping(this.#waitMs)
      const messageId = (n % 60000) + 2
      client.send({
        cmd: 'publish',
        topic: `${clientId}/inbox`,
        payload: Buffer.from(`rt-${n}`),
        qos: 1,
        messageId,
        dup: false,
        retain: false,
      })
      const delivered = await client.next('publish', this.#waitMs)
      client.send({ cmd: 'puback', messageId: delivered.messageId })
      await client.next('puback', this.#waitMs)
      this.latencies.push(performance.now() - start)
      // a sample every ~20 ms: often enough to see a stall, rarely enough not to be load
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await client.disconnect()
  }

  /**
   * Stops sampling; resolves with the count, median and slowest round trip (ms). Rejects if a
   * round trip failed (a packet not answered within `waitMs`).
   */
  async stop(): Promise<{ count: number; maxMs: number; medianMs: number }> {
    this.#running = false
    await this.#loop
    if (this.#failure) throw this.#failure
    const sorted = [...this.latencies].sort((a, b) => a - b)
    return {
      count: sorted.length,
      maxMs: Math.round(sorted.at(-1) ?? 0),
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    }
  }
}
