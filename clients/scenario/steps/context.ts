import { ClientError } from '../../errors.ts'
import type { PacketClient } from '../../mqtt/packet-client.ts'
import type { BrokerUrl } from '../../mqtt/url.ts'
import type { Namespace } from '../namespace.ts'
import type { Observation } from '../result.ts'

/** What one run of one scenario holds while its steps execute. */
export interface ScenarioContext {
  url: BrokerUrl
  ns: Namespace
  /** Open (or closed by the broker) connections by the scenario's client name. */
  clients: Map<string, PacketClient>
  /** Packet ids saved by `saveId`, by name. */
  savedIds: Map<string, number>
  /** What the run leaves on the broker, removed after the last step. */
  leftovers: { sessions: Set<string>; retained: Set<string> }
  timeoutMs: number
}

/** What a step saw and which of its expectations failed. */
export interface StepOutcome {
  observed: Observation
  expectations: number
  failures: string[]
}

export const nothingExpected = (observed: Observation = {}): StepOutcome => ({
  observed,
  expectations: 0,
  failures: [],
})

export function clientNamed(ctx: ScenarioContext, name: string): PacketClient {
  const client = ctx.clients.get(name)
  if (!client) throw new ClientError('NOT_CONNECTED', `client "${name}" has no connection`)
  return client
}

/** A connection the broker has not closed; NOT_CONNECTED otherwise. */
export function openClient(ctx: ScenarioContext, name: string): PacketClient {
  const client = clientNamed(ctx, name)
  if (client.closed) throw new ClientError('NOT_CONNECTED', `client "${name}" is disconnected`)
  return client
}
