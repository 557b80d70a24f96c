import type { SessionView } from '../../broker/inspector/types.ts'
import { describeError, getJson, postJson } from './api.ts'
import { bytes, el } from './dom.ts'

type Action = 'disconnect' | 'delete'

/**
 * Disconnect and delete buttons for a session; shown to operators only.
 * Neither acts on the click: a dialog first names what will be lost, with
 * Cancel focused, and only its confirm button calls the broker.
 */
export function operatorButtons(
  session: { clientId: string; connected: boolean },
  onError: (m: string) => void,
) {
  const { clientId } = session
  const ask = (action: Action) => async () => {
    try {
      // read now, not from the row: the queue may have grown since it was drawn
      const s = await getJson<SessionView>(`/api/sessions/${encodeURIComponent(clientId)}`)
      if (!(await confirmAction(action, s))) return
      await postJson(`/ui/sessions/${encodeURIComponent(clientId)}/${action}`)
    } catch (err) {
      onError(describeError(err))
    }
  }
  const disconnect = el('button', { type: 'button', class: 'op-disconnect' }, 'Disconnect')
  disconnect.addEventListener('click', ask('disconnect'))
  if (!session.connected) disconnect.setAttribute('disabled', '')
  const remove = el('button', { type: 'button', class: 'op-delete danger' }, 'Delete')
  remove.addEventListener('click', ask('delete'))
  return el('span', { class: 'ops' }, disconnect, ' ', remove)
}

/** What an action throws away or sets off, one sentence a line, from the session as read now. */
export function consequences(action: Action, s: SessionView): string[] {
  const queued = `${plural(s.queue.count, 'queued message')} (${bytes(s.queue.bytes)})`
  const subs = plural(s.subscriptions.length, 'subscription')
  const inflight = s.inflight > 0 ? `, ${plural(s.inflight, 'message')} in flight` : ''
  const will =
    s.will === null
      ? 'It has no Will: nothing is published.'
      : `Its Will is published, on ${s.will.topic} (QoS ${s.will.qos}${s.will.retain ? ', retained' : ''}).`
  if (action === 'delete') {
    return [
      `${queued}${inflight} and ${subs} are thrown away for good.`,
      ...(s.connected ? [`The client is disconnected first. ${will}`] : []),
      s.clean
        ? 'It is a clean session (CleanSession=1): it would have ended with its connection anyway.'
        : 'If the client comes back with CleanSession=0, it finds an empty session: nothing it missed is kept.',
    ]
  }
  return [
    `The connection is closed as on a network failure. ${will}`,
    s.clean
      ? `The session is not kept (CleanSession=1): ${queued} and ${subs} end with the connection.`
      : `The session is kept (CleanSession=0): ${subs} and ${queued} stay, and messages keep queueing until it reconnects.`,
  ]
}

/** A modal dialog naming what `action` does to the session; resolves true only when confirmed. */
function confirmAction(action: Action, s: SessionView): Promise<boolean> {
  const cancel = el('button', { type: 'button', id: 'confirm-cancel', autofocus: '' }, 'Cancel')
  const ok = el(
    'button',
    { type: 'button', id: 'confirm-ok', class: 'danger' },
    action === 'delete' ? 'Delete session' : 'Disconnect',
  )
  const dialog = el(
    'dialog',
    { id: 'confirm', 'data-action': action },
    el(
      'h2',
      {},
      action === 'delete' ? 'Delete the session of ' : 'Disconnect ',
      el('code', {}, s.clientId),
      '?',
    ),
    el(
      'ul',
      { id: 'confirm-consequences' },
      ...consequences(action, s).map((c) => el('li', {}, c)),
    ),
    el('p', { class: 'buttons' }, cancel, ' ', ok),
  )
  document.body.append(dialog)
  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close('cancel'))
    ok.addEventListener('click', () => dialog.close('confirm'))
    // Escape closes it too, with no return value: a cancel
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'confirm')
    })
    dialog.showModal()
    // the safe choice has the focus: Enter or Space right away cancels
    cancel.focus()
  })
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
