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
]
