import { onTestFinished } from 'vitest'
import type {
  SessionChange,
  SessionEvent,
  SessionEventType,
  SessionInspector,
} from '../../broker/inspector/types.ts'

const WAIT_MS = 5000

/**
 * Records every session change from now on and lets a test await the next
 * one of a kind: tests wait on events, never on time.
 */
export class SessionChanges {
  readonly all: SessionChange[] = []
  readonly #taken = new Set<number>()
  #waiters: (() => void)[] = []

  constructor(inspector: SessionInspector) {
    const stop = inspector.onChange((change) => {
      this.all.push(change)
      for (const wake of this.#waiters.splice(0)) wake()
    })
    onTestFinished(stop)
  }

  /**
   * The first change not yet taken of this type (and ClientID, if given);
   * rejects after a few seconds.
   */
  async next<T extends SessionEventType>(
    type: T,
    clientId?: string,
  ): Promise<{ clientId: string; event: Extract<SessionEvent, { type: T }> }> {
    const deadline = Date.now() + WAIT_MS
    for (;;) {
      const index = this.all.findIndex(
        (c, i) =>
          !this.#taken.has(i) &&
          c.event.type === type &&
          (clientId === undefined || c.clientId === clientId),
      )
      if (index >= 0) {
        this.#taken.add(index)
        const change = this.all[index]
        return change as { clientId: string; event: Extract<SessionEvent, { type: T }> }
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${type} event${clientId ? ` for ${clientId}` : ''}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** The types of the changes recorded for a ClientID, in order. */
  typesOf(clientId: string): SessionEventType[] {
    return this.all.filter((c) => c.clientId === clientId).map((c) => c.event.type)
  }
}
