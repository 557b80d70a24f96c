import { describe, expect, it } from 'vitest'
import { startBroker, tempDir, transportsAndStores, urlFor } from '../helpers/broker.ts'
import { publish } from '../helpers/publish.ts'
import { RawClient } from '../helpers/raw-client.ts'
import { PASSWD_7, subscribeAll, tempFile } from './auth-helpers.ts'

const ACL = ['user alice', 'topic readwrite allowed/#', 'user bob', 'topic readwrite #'].join('\n')
const alice = { username: 'alice', password: 'alice-secret' }
const bob = { username: 'bob', password: 'bob-secret' }

describe.each(transportsAndStores)('over %s on %s', (transport, store) => {
  it('refuses the denied filter with 0x80, stores only the granted ones, delivers nothing for it after resume', async () => {
    const dataDir = tempDir()
    const options = { store, dataDir, passwordFile: PASSWD_7, aclFile: tempFile('acl', ACL) }
    let broker = await startBroker(options)
    const url = () => urlFor(broker, transport)

    const first = await RawClient.connect(url(), { clientId: 'sub', clean: false, ...alice })
    // the denied filter between two allowed ones, in one SUBSCRIBE
    expect(await subscribeAll(first.client, ['allowed/a', 'forbidden/x', 'allowed/b'])).toEqual([
      1, 128, 1,
    ])
    expect(broker.auth.counts.deniedSubscriptions).toBe(1)
    expect((await broker.sessions.get('sub'))?.subscriptions.map((s) => s.topic).sort()).toEqual([
      'allowed/a',
      'allowed/b',
    ])
    await first.client.destroy()

    // a resume reads the subscriptions from the store; sqlite's across a restart too
    if (store === 'sqlite') {
      await broker.close()
      broker = await startBroker(options)
    }
    const pub = await RawClient.connect(url(), { clientId: 'pub', ...bob })
    await publish(pub.client, 'forbidden/x', 'leaked', 1, 1)
    await publish(pub.client, 'allowed/a', 'fine', 1, 2)

    const resumed = await RawClient.connect(url(), { clientId: 'sub', clean: false, ...alice })
    expect(resumed.connack.sessionPresent).toBe(true)
    const message = await resumed.client.next('publish')
    expect(message.topic).toBe('allowed/a')
    await publish(pub.client, 'forbidden/x', 'leaked live', 0)
    await publish(pub.client, 'allowed/b', 'fine live', 0)
    expect((await resumed.client.next('publish')).topic).toBe('allowed/b')
    expect(resumed.client.unread.filter((p) => p.cmd === 'publish')).toEqual([])
  })
})
