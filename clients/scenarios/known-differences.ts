import type { KnownDifference } from '../scenario/compare.ts'

/**
 * Where the bundled scenarios see Mosquitto (Debian 2.0.11, default
 * settings) differ from SessionLab, and why. The one list of them: the
 * Mosquitto test fails on any difference not listed here, and on an
 * `always` entry that no longer shows.
 */
export const MOSQUITTO_DIFFERENCES: readonly KnownDifference[] = [
  {
    broker: 'mosquitto 2.0',
    scenario: 'takeover-publishes-will',
    steps: [6],
    occurs: 'always',
    reason:
      'Mosquitto does not publish the Will of a connection taken over by a CleanSession=0 ' +
      'connect that resumes its session; MQTT 3.1.1 publishes a Will whenever a connection ' +
      'closes without DISCONNECT [MQTT-3.1.2-8]. SessionLab follows the spec by default; ' +
      "`--takeover-will suppress` gives Mosquitto's behaviour. (A clean-session takeover " +
      'publishes the Will on both.)',
  },
  {
    broker: 'mosquitto 2.0',
    scenario: 'overlapping-subscriptions',
    steps: [7],
    occurs: 'always',
    reason:
      'Mosquitto sends one copy at the QoS of the first filter its subscription-tree walk ' +
      'matches (`o/+` at QoS 0, whatever the order of SUBSCRIBEs), not at the highest QoS of ' +
      'all matching subscriptions as [MQTT-3.3.5-1] requires; SessionLab delivers at QoS 1.',
  },
  {
    broker: 'mosquitto 2.0',
    scenario: 'keepalive-timeout-publishes-will',
    steps: [4, 5],
    occurs: 'timing',
    reason:
      'Mosquitto 2.0 checks keepalives in a sweep that runs at most every 6 s ' +
      '(`keepalive__check`: `last_keepalive_check + 5 < now`), so a 1 s keepalive runs out ' +
      'anywhere between 1.5 s and about 7.5 s; [MQTT-3.1.2-24] asks for 1.5 x keepalive, which ' +
      'SessionLab keeps. The wait (3 s) and the Will that follows it differ whenever the sweep ' +
      'comes late.',
  },
  {
    broker: 'mosquitto 2.0',
    scenario: 'mqtt5-takeover-sends-disconnect-session-taken-over',
    steps: [3],
    occurs: 'always',
    reason:
      'Mosquitto 2.0.11 closes the connection that is taken over without sending it DISCONNECT ' +
      '(it logs "already connected, closing old connection"; checked byte by byte: the old ' +
      'connection receives nothing after its CONNACK), so an MQTT 5 client cannot tell a ' +
      'takeover from a network failure. [MQTT-5: 3.1.4-3] has the Server send DISCONNECT ' +
      '0x8E (Session taken over) first; SessionLab does.',
  },
  {
    broker: 'mosquitto 2.0',
    scenario: 'mqtt5-puback-may-say-no-matching-subscribers',
    steps: [2],
    occurs: 'always',
    reason:
      'A QoS 1 PUBLISH that matches no subscription: Mosquitto answers PUBACK 0x10 (No ' +
      'matching subscribers), SessionLab 0x00 (Success). MQTT 5 section 3.4.2.1 allows both ' +
      '(the Server MAY use 0x10), so the scenario accepts either; the observations differ.',
  },
]
