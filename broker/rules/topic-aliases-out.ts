import { assignTopicAliases } from '../aedes/connection.ts'
import type { ConnectStage } from '../aedes/stages.ts'

/**
 * MQTT 5: the broker gives Topic Aliases to the topics it sends a client
 * whose CONNECT set a Topic Alias Maximum above 0, never one above it
 * [MQTT-3.1.2-26] [MQTT-3.3.2-11] and none to a client that set 0 or none,
 * or to a 3.1/3.1.1 client [MQTT-3.1.2-27]. Decided per connection as the
 * bytes leave (broker/aedes/topic-aliases.ts), so every path that writes a
 * PUBLISH gets them and a new connection starts with none [MQTT-3.3.2-7].
 * `--topic-alias-out false` sends every topic in full.
 */
export function topicAliasesOutStage(enabled: boolean): ConnectStage {
  return {
    read(client, packet) {
      if (!enabled || packet.protocolVersion !== 5) return
      const maximum = packet.properties?.topicAliasMaximum ?? 0
      if (maximum > 0) {
        assignTopicAliases(client, maximum, packet.properties?.maximumPacketSize ?? 0)
      }
    },
  }
}
