import type { Aedes } from '../aedes/instance.ts'
import type { PageQuery, QueuePage, Sessions } from '../inspector/types.ts'
import type { SessionPersistence } from '../rules/persistence.ts'
import type { OperatorListStore } from '../store/types.ts'
import type { MessageLimits, OperatorMessage } from './message.ts'
import { publishAsOperator } from './publish.ts'
import { type RetainedPage, type RetainedQuery, retainedPage } from './retained-view.ts'

export type { MessageLimits, OperatorMessage } from './message.ts'
export { describeOperatorMessage, parseOperatorMessage } from './message.ts'
export type { RetainedPage, RetainedQuery, RetainedView } from './retained-view.ts'

/**
 * What an operator reads and does beyond the session inspector's list, read,
 * disconnect and delete: a session's queue, the retained messages, and a
 * publish as the broker. The HTTP API and the dashboard call it; neither
 * reaches aedes or the store.
 */
export interface OperatorConsole {
  /** A page of a session's queue, queued and in-flight entries; null when there is no session. */
  queue(clientId: string, query: PageQuery): Promise<QueuePage | null>
  /** A page of the retained messages in topic order. */
  retained(query: RetainedQuery): Promise<RetainedPage>
  /**
   * Publishes a message parsed by `parseOperatorMessage` as the broker's own;
   * resolves once it is committed for the persistent sessions and routed.
   */
  publish(message: OperatorMessage): Promise<void>
  /** What an operator's message is held to: a client's limits. */
  readonly limits: MessageLimits
}

export function operatorConsole(deps: {
  aedes: Aedes
  persistence: SessionPersistence
  store: OperatorListStore
  sessions: Pick<Sessions, 'queue'>
  limits: MessageLimits
}): OperatorConsole {
  const { aedes, persistence, store, sessions, limits } = deps
  return {
    queue: (clientId, query) => sessions.queue(clientId, query),
    retained: (query) => retainedPage(store, query),
    publish: (message) => publishAsOperator({ aedes, persistence }, message),
    limits: {
      maxTopicLength: limits.maxTopicLength,
      maxTopicLevels: limits.maxTopicLevels,
      maxPacketSize: limits.maxPacketSize,
    },
  }
}
