import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Packet } from 'mqtt-packet'
import { tempDir } from '../helpers/broker.ts'
import type { RawClient } from '../helpers/raw-client.ts'

/** Made with Debian's mosquitto_passwd 2.0.11: alice/alice-secret, bob/bob-secret ($7$). */
export const PASSWD_7 = fileURLToPath(new URL('./fixtures/passwd-7', import.meta.url))
/** Made with `mosquitto_passwd -H sha512`: carol/carol-secret ($6$). */
export const PASSWD_6 = fileURLToPath(new URL('./fixtures/passwd-6', import.meta.url))

/** Writes `text` to a fresh file owned by the current test; returns its path. */
export function tempFile(name: string, text: string): string {
  const file = join(tempDir('sessionlab-auth-'), name)
  writeFileSync(file, text)
  return file
}

/** Sends one SUBSCRIBE with several filters; resolves with the SUBACK's return codes. */
export async function subscribeAll(
  client: RawClient,
  topics: string[],
  qos: 0 | 1 | 2 = 1,
  messageId = 1,
): Promise<number[]> {
  client.send({
    cmd: 'subscribe',
    messageId,
    subscriptions: topics.map((topic) => ({ topic, qos })),
  } as Packet)
  return (await client.next('suback')).granted as number[]
}
