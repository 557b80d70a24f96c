/**
 * Where each sent, unacknowledged outgoing entry is: per client, packet id
 * to row ids, oldest first. An acknowledgement names a packet id; this finds
 * its row without an index on the table, which every numbering and every
 * acknowledgement would otherwise update (`bench/RESULTS.md`).
 *
 * It holds what the table holds, less the acknowledgements still to be
 * deleted: loaded at start-up, kept in step with each write, and loaded
 * again if a transaction is rolled back.
 */
export class InflightRows {
  readonly #byClient = new Map<string, Map<number, number[]>>()
  #count = 0

  /** Replaces what is held with `rows` (client, packet id, row id). */
  load(rows: Iterable<readonly [clientId: string, messageId: number, rowId: number]>): void {
    this.#byClient.clear()
    this.#count = 0
    for (const [clientId, messageId, rowId] of rows) this.add(clientId, messageId, rowId)
  }

  add(clientId: string, messageId: number, rowId: number): void {
    let ids = this.#byClient.get(clientId)
    if (!ids) {
      ids = new Map()
      this.#byClient.set(clientId, ids)
    }
    const rows = ids.get(messageId)
    this.#count++
    if (!rows) {
      ids.set(messageId, [rowId])
      return
    }
    // the oldest first, as a query ordered by id would find them
    let at = rows.length
    while (at > 0 && rows[at - 1] > rowId) at--
    rows.splice(at, 0, rowId)
  }

  /** The oldest row sent with this packet id. */
  first(clientId: string, messageId: number): number | undefined {
    return this.#byClient.get(clientId)?.get(messageId)?.[0]
  }

  /** Every row sent with this packet id, oldest first. */
  all(clientId: string, messageId: number): readonly number[] {
    return this.#byClient.get(clientId)?.get(messageId) ?? []
  }

  remove(clientId: string, messageId: number, rowId: number): void {
    const ids = this.#byClient.get(clientId)
    const rows = ids?.get(messageId)
    const at = rows?.indexOf(rowId) ?? -1
    if (!ids || !rows || at < 0) return
    this.#count--
    if (rows.length > 1) {
      rows.splice(at, 1)
      return
    }
    ids.delete(messageId)
    if (ids.size === 0) this.#byClient.delete(clientId)
  }

  /** Forgets the client's rows (its queue was dropped). */
  forget(clientId: string): void {
    const ids = this.#byClient.get(clientId)
    if (!ids) return
    for (const rows of ids.values()) this.#count -= rows.length
    this.#byClient.delete(clientId)
  }

  /** Rows in flight, over every client. */
  get count(): number {
    return this.#count
  }
}
