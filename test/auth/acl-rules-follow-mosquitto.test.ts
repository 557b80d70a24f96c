import { describe, expect, it } from 'vitest'
import { aclAllows, parseAcl } from '../../broker/auth/acl.ts'

const acl = parseAcl(
  [
    '# anonymous clients',
    'topic read public/#',
    '',
    'user alice',
    'topic readwrite alice/#',
    'topic deny alice/secret',
    'topic write logs/alice',
    'topic sensors/#',
    'topic read $SYS/#',
    '',
    'user bob',
    'topic read alice/#',
    '',
    'pattern readwrite clients/%c/#',
    'pattern read users/%u/inbox',
    'pattern deny clients/%c/locked',
  ].join('\n'),
  'acl',
)
const alice = { clientId: 'a1', username: 'alice' }
const bob = { clientId: 'b1', username: 'bob' }
const anon = { clientId: 'x1', username: null }

describe('topic lines', () => {
  it('grant read, write or both to their user, and nothing else', () => {
    expect(aclAllows(acl, alice, 'write', 'alice/notes')).toBe(true)
    expect(aclAllows(acl, alice, 'read', 'alice/notes')).toBe(true)
    expect(aclAllows(acl, alice, 'write', 'logs/alice')).toBe(true)
    expect(aclAllows(acl, alice, 'read', 'logs/alice')).toBe(false)
    expect(aclAllows(acl, alice, 'subscribe', 'logs/alice')).toBe(false)
    expect(aclAllows(acl, bob, 'read', 'alice/notes')).toBe(true)
    expect(aclAllows(acl, bob, 'write', 'alice/notes')).toBe(false)
    expect(aclAllows(acl, bob, 'write', 'public/x')).toBe(false)
  })

  it('without an access word mean readwrite', () => {
    expect(aclAllows(acl, alice, 'write', 'sensors/t1')).toBe(true)
    expect(aclAllows(acl, alice, 'subscribe', 'sensors/+')).toBe(true)
  })

  it('before any user line apply to clients without a username, and only to them', () => {
    expect(aclAllows(acl, anon, 'subscribe', 'public/#')).toBe(true)
    expect(aclAllows(acl, anon, 'write', 'public/x')).toBe(false)
    expect(aclAllows(acl, alice, 'read', 'public/x')).toBe(false)
  })

  it('deny wins over a wider grant, for messages and for filters within it', () => {
    expect(aclAllows(acl, alice, 'write', 'alice/secret')).toBe(false)
    expect(aclAllows(acl, alice, 'read', 'alice/secret')).toBe(false)
    expect(aclAllows(acl, alice, 'subscribe', 'alice/secret')).toBe(false)
    // a wider filter is granted; the denied topic is then withheld per message (read)
    expect(aclAllows(acl, alice, 'subscribe', 'alice/#')).toBe(true)
  })
})

describe('subscriptions', () => {
  it('are granted only within an entry with read access', () => {
    expect(aclAllows(acl, alice, 'subscribe', 'alice/+/x')).toBe(true)
    expect(aclAllows(acl, alice, 'subscribe', 'alice/#')).toBe(true)
    expect(aclAllows(acl, alice, 'subscribe', '#')).toBe(false)
    expect(aclAllows(acl, alice, 'subscribe', '+/notes')).toBe(false)
  })

  it('never let a leading wildcard reach $ topics [MQTT-4.7.2-1]', () => {
    const wide = parseAcl('topic read #', 'acl')
    expect(aclAllows(wide, anon, 'read', 'a/b')).toBe(true)
    expect(aclAllows(wide, anon, 'read', '$SYS/broker/uptime')).toBe(false)
    expect(aclAllows(acl, alice, 'subscribe', '$SYS/broker/#')).toBe(true)
  })
})

describe('pattern lines', () => {
  it('substitute %c with the ClientID and %u with the username, for every client', () => {
    expect(aclAllows(acl, alice, 'write', 'clients/a1/status')).toBe(true)
    expect(aclAllows(acl, alice, 'write', 'clients/b1/status')).toBe(false)
    expect(aclAllows(acl, anon, 'subscribe', 'clients/x1/#')).toBe(true)
    expect(aclAllows(acl, bob, 'read', 'users/bob/inbox')).toBe(true)
    expect(aclAllows(acl, bob, 'read', 'users/alice/inbox')).toBe(false)
  })

  it('with %u grant nothing to a client without a username', () => {
    expect(aclAllows(acl, anon, 'read', 'users//inbox')).toBe(false)
  })

  it('deny too, over the grant of another pattern', () => {
    expect(aclAllows(acl, alice, 'write', 'clients/a1/locked')).toBe(false)
  })

  it('refuse everything to a ClientID or username holding + or # (CVE-2017-7650)', () => {
    const sly = { clientId: '#', username: 'alice' }
    expect(aclAllows(acl, sly, 'read', 'clients/b1/status')).toBe(false)
    expect(aclAllows(acl, sly, 'read', 'alice/notes')).toBe(false)
  })
})

it('refuses a file with an unknown keyword or a line missing its topic, naming the line', () => {
  expect(() => parseAcl('user a\ntopci read x', 'f')).toThrow('f:2: unknown keyword "topci"')
  expect(() => parseAcl('topic read', 'f')).toThrow('f:1: topic needs a topic')
  expect(() => parseAcl('user', 'f')).toThrow('f:1: user needs a name')
})
