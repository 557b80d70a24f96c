import type { LiveChange, ServerMessage, ViewMode } from '../shared/messages.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { postJson, setCsrf } from './api.ts'
import { byId, el, time } from './dom.ts'
import { describe } from './events.ts'

// follows the mode's name ("persistent view"), so it does not repeat it
const analogy: Record<ViewMode, string> = {
  persistent:
    '— like MQTT CleanSession=0: the server keeps this view (followed ClientIDs, filters), across broker restarts too, and queues the session events you miss while away, shown when you return.',
  clean:
    '— like MQTT CleanSession=1: the view state rides in your signed cookie, the server keeps nothing, and events that happen while you are away are lost.',
}

/** The banner naming the view's mode, its MQTT analogy and the switch to the other mode. */
export function renderMode(view: ViewAnswer): void {
  const other: ViewMode = view.mode === 'persistent' ? 'clean' : 'persistent'
  const button = el('button', { type: 'button', id: 'switch-mode' }, `Switch to a ${other} view`)
  button.addEventListener('click', async () => {
    const answer = await postJson<{ csrf: string }>('/ui/mode', { mode: other })
    setCsrf(answer.csrf)
    location.reload()
  })
  byId('view-mode').replaceChildren(
    el('span', { id: 'mode-name', 'data-mode': view.mode }, `${view.mode} view`),
    ' ',
    el('span', { class: 'analogy' }, analogy[view.mode]),
    ' ',
    el('span', { class: 'muted' }, `cookie ${view.cookieBytes} B`),
    ' ',
    button,
  )
  const login = byId('login-link')
  login.textContent = view.operator ? 'Operator (logged in)' : 'Operator login'
}

/** "While you were away": the changes a persistent view missed, shown on return. */
export function renderMissed(welcome: Extract<ServerMessage, { type: 'welcome' }>): void {
  const panel = byId('missed')
  if (welcome.missed.length === 0 && welcome.missedDropped === 0) return
  const items = welcome.missed.map((c: LiveChange) =>
    el('li', {}, `${time(c.event.at)} `, el('b', {}, c.clientId), ` ${describe(c.event)}`),
  )
  const dismiss = el('button', { type: 'button' }, 'Dismiss')
  dismiss.addEventListener('click', () => {
    panel.hidden = true
  })
  panel.replaceChildren(
    el('h2', {}, `While you were away: ${welcome.missed.length} session events`),
    el(
      'p',
      {},
      welcome.missedDropped > 0 ? `(${welcome.missedDropped} older ones were not kept)` : '',
    ),
    el('ul', { id: 'missed-list' }, ...items),
    dismiss,
  )
  panel.hidden = false
}
