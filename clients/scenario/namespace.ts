import { randomBytes } from 'node:crypto'

/**
 * Keeps one run's ClientIDs, topics and retained messages apart from every
 * other run on the same broker (and from sessions left by earlier runs): a
 * ClientID `sub` becomes `<tag>-sub`, a topic `a/b` becomes `sl/<tag>/a/b`.
 * A zero-length ClientID stays zero-length. Received topics are mapped back.
 */
export class Namespace {
  readonly tag: string

  constructor(tag: string = randomBytes(4).toString('hex')) {
    this.tag = tag
  }

  clientId(id: string): string {
    return id === '' || this.tag === '' ? id : `${this.tag}-${id}`
  }

  /** A shared subscription `$share/group/filter` keeps its prefix: the filter goes in the namespace. */
  topic(topic: string): string {
    if (this.tag === '') return topic
    const shared = /^\$share\/[^/]+\//.exec(topic)
    const prefix = shared ? shared[0] : ''
    return `${prefix}sl/${this.tag}/${topic.slice(prefix.length)}`
  }

  /** The scenario's own name for a topic the broker sent; foreign topics are left as they are. */
  strip(topic: string): string {
    const prefix = `sl/${this.tag}/`
    return this.tag !== '' && topic.startsWith(prefix) ? topic.slice(prefix.length) : topic
  }
}
