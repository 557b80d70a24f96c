import type { IPublishPacket } from 'mqtt-packet'
import type { PublishProperties } from '../types.ts'
import type { ScenarioContext } from './context.ts'

type WireProperties = NonNullable<IPublishPacket['properties']> & { willDelayInterval?: number }

/**
 * A scenario's MQTT 5 message properties (of a PUBLISH or a Will) as
 * mqtt-packet writes them: the response topic in the run's namespace like
 * every topic, correlation data as the bytes of its string.
 */
export function messageProperties(
  ctx: ScenarioContext,
  properties: PublishProperties & { willDelayInterval?: number },
): WireProperties {
  const { responseTopic, correlationData, ...rest } = properties
  return {
    ...rest,
    ...(responseTopic !== undefined && { responseTopic: ctx.ns.topic(responseTopic) }),
    ...(correlationData !== undefined && { correlationData: Buffer.from(correlationData) }),
  }
}
