import type { IncomingEntryView, QueueEntryView, QueuePage } from '../../broker/inspector/types.ts'
import { getJson } from './api.ts'
import { bytes, type Child, el } from './dom.ts'
import { duration } from './times.ts'

/** Entries a page of the queue shows. */
export const QUEUE_PAGE_SIZE = 20

const AWAITING: Record<NonNullable<QueueEntryView['awaiting']>, string> = {
  puback: 'in flight, awaiting PUBACK',
  pubrec: 'in flight, awaiting PUBREC',
  pubcomp: 'PUBREL sent, awaiting PUBCOMP',
}

/**
 * A session's queue and in-flight messages, a page at a time
 * (`GET /api/sessions/:clientId/queue`), with Previous and Next: the cursor
 * of each page shown so far is kept, so Previous goes back to the exact
 * page. Its incoming QoS 2 messages awaiting PUBREL (on the first page of
 * the answer) are a second table. Payloads are the broker's previews (text
 * when printable UTF-8, else hex; 64 bytes at most), always put in as text.
 */
export class QueueTable {
  readonly section: HTMLElement
  readonly #clientId: string
  /** `cursors[i]` reads page i; the first page needs none. */
  #cursors: (string | undefined)[] = [undefined]
  #index = 0
  #next: string | null = null
  readonly #body: HTMLElement
  readonly #incoming: HTMLElement
  readonly #position: HTMLElement
  readonly #previous: HTMLButtonElement
  readonly #nextButton: HTMLButtonElement

  constructor(clientId: string) {
    this.#clientId = clientId
    this.#body = el('div', { id: 'queue-entries' })
    this.#incoming = el('div', { id: 'incoming' })
    this.#position = el('span', { id: 'queue-position', class: 'muted' })
    this.#previous = el('button', { type: 'button', id: 'queue-previous' }, '← Previous')
    this.#nextButton = el('button', { type: 'button', id: 'queue-next' }, 'Next →')
    this.#previous.addEventListener('click', () => void this.#go(this.#index - 1))
    this.#nextButton.addEventListener('click', () => {
      if (this.#next === null) return
      this.#cursors[this.#index + 1] = this.#next
      void this.#go(this.#index + 1)
    })
    this.section = el(
      'section',
      { id: 'queue', class: 'panel wide' },
      el('h2', {}, 'Queue and in-flight messages'),
      el(
        'p',
        { class: 'muted' },
        'Oldest first: what the broker holds to deliver to this client — queued (never sent) and in flight (sent, not yet acknowledged). Acknowledged messages leave the list.',
      ),
      this.#body,
      el('p', { class: 'pager' }, this.#previous, ' ', this.#position, ' ', this.#nextButton),
      this.#incoming,
    )
  }

  /** Reads the page shown again (the queue moves while it is looked at). */
  async refresh(): Promise<void> {
    const cursor = this.#cursors[this.#index]
    const query = `limit=${QUEUE_PAGE_SIZE}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
    const page = await getJson<QueuePage>(
      `/api/sessions/${encodeURIComponent(this.#clientId)}/queue?${query}`,
    )
    // everything on this page was acknowledged: the page before is the one to see
    if (page.entries.length === 0 && this.#index > 0) {
      await this.#go(this.#index - 1)
      return
    }
    this.#render(page, Date.now())
  }

  async #go(index: number): Promise<void> {
    this.#index = Math.max(0, index)
    this.#cursors.length = this.#index + 1
    await this.refresh()
  }

  #render(page: QueuePage, now: number): void {
    this.#next = page.next
    this.#previous.disabled = this.#index === 0
    this.#nextButton.disabled = page.next === null
    const from = this.#index * QUEUE_PAGE_SIZE + 1
    this.#position.textContent =
      page.entries.length === 0
        ? ''
        : `page ${this.#index + 1}: entries ${from}–${from + page.entries.length - 1}${page.next === null ? '' : ', more after'}`
    this.#body.replaceChildren(
      page.entries.length === 0
        ? el('p', { id: 'queue-empty' }, 'Nothing queued or in flight.')
        : messageTable(
            'queue-table',
            page.entries.map((e) => outgoingRow(e, now)),
          ),
    )
    // the incoming state comes with the first page only; later pages keep what it showed
    if (this.#index === 0) this.#incoming.replaceChildren(...incomingPart(page.incoming))
  }
}

const COLUMNS = [
  'packet id',
  'state',
  'topic',
  'QoS',
  'DUP',
  'retain',
  'size',
  'age',
  'expires in',
  'payload',
]

function messageTable(id: string, rows: HTMLElement[]): HTMLElement {
  return el(
    'div',
    { class: 'table-box' },
    el(
      'table',
      { id, class: 'messages' },
      el('thead', {}, el('tr', {}, ...COLUMNS.map((c) => el('th', { scope: 'col' }, c)))),
      el('tbody', {}, ...rows),
    ),
  )
}

/** A cell that names its column, so a phone-wide layout can show each row as a card. */
function cell(column: string, value: Child, extra: Record<string, string> = {}): HTMLElement {
  return el('td', { 'data-label': column, ...extra }, value)
}

function flag(on: boolean | null): string {
  return on === null ? '—' : on ? '1' : '0'
}

function outgoingRow(entry: QueueEntryView, now: number): HTMLElement {
  const state =
    entry.awaiting === null
      ? 'queued'
      : (AWAITING[entry.awaiting] ?? `in flight (${entry.awaiting})`)
  return el(
    'tr',
    { 'data-state': entry.state, 'data-seq': String(entry.seq) },
    cell('packet id', entry.messageId ?? '—', { class: 'message-id' }),
    cell('state', el('span', { class: `badge ${entry.state}` }, state), { class: 'state' }),
    cell('topic', entry.topic ?? '(PUBREL: topic not kept)', { class: 'topic' }),
    cell('QoS', entry.qos, { class: 'qos' }),
    cell('DUP', flag(entry.dup), { class: 'dup' }),
    cell('retain', flag(entry.retain), { class: 'retain' }),
    cell('size', bytes(entry.payloadBytes), { class: 'size' }),
    cell('age', entry.queuedAt === null ? '—' : duration(now - entry.queuedAt), { class: 'age' }),
    // MQTT 5 Message Expiry, as the broker computed it when it answered
    cell('expires in', entry.expiresInMs === null ? '—' : duration(entry.expiresInMs), {
      class: 'expires',
    }),
    cell('payload', payload(entry.preview, entry.previewKind), { class: 'payload' }),
  )
}

function incomingRow(entry: IncomingEntryView): HTMLElement {
  return el(
    'tr',
    { 'data-state': 'incoming' },
    cell('packet id', entry.messageId, { class: 'message-id' }),
    cell('state', el('span', { class: 'badge incoming' }, 'PUBREC sent, awaiting PUBREL'), {
      class: 'state',
    }),
    cell('topic', entry.topic, { class: 'topic' }),
    cell('QoS', entry.qos, { class: 'qos' }),
    cell('DUP', flag(entry.dup), { class: 'dup' }),
    cell('retain', flag(entry.retain), { class: 'retain' }),
    cell('size', bytes(entry.payloadBytes), { class: 'size' }),
    // the store keeps no time of arrival for it
    cell('age', '—', { class: 'age' }),
    cell('expires in', '—', { class: 'expires' }),
    cell('payload', payload(entry.preview, entry.previewKind), { class: 'payload' }),
  )
}

function incomingPart(incoming: IncomingEntryView[]): HTMLElement[] {
  if (incoming.length === 0) return []
  return [
    el('h3', {}, 'Incoming QoS 2, awaiting PUBREL'),
    el(
      'p',
      { class: 'muted' },
      'Sent by this client at QoS 2 and answered with PUBREC: already published, and kept until its PUBREL so a resend of it is not published twice [MQTT-4.3.3-2].',
    ),
    messageTable('incoming-table', incoming.map(incomingRow)),
  ]
}

/** The broker's preview as text; hex marked as such. Never markup: `el` makes text nodes. */
function payload(preview: string | null, kind: 'text' | 'hex' | null): Child {
  if (preview === null || kind === null) return '—'
  const code = el('code', { 'data-kind': kind }, preview)
  return kind === 'hex'
    ? el(
        'span',
        { title: 'not printable UTF-8: its bytes in hex' },
        el('span', { class: 'kind' }, 'hex'),
        ' ',
        code,
      )
    : code
}
