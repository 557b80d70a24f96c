import { ApiError, postJson } from './api.ts'
import { el } from './dom.ts'

/** Disconnect and delete buttons for a session; shown to operators only. */
export function operatorButtons(
  clientId: string,
  connected: boolean,
  onError: (m: string) => void,
) {
  const path = `/ui/sessions/${encodeURIComponent(clientId)}`
  const run = (action: 'disconnect' | 'delete') => async () => {
    try {
      await postJson(`${path}/${action}`)
    } catch (err) {
      onError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err))
    }
  }
  const disconnect = el('button', { type: 'button', class: 'op-disconnect' }, 'Disconnect')
  disconnect.addEventListener('click', run('disconnect'))
  if (!connected) disconnect.setAttribute('disabled', '')
  const remove = el('button', { type: 'button', class: 'op-delete danger' }, 'Delete')
  remove.addEventListener('click', run('delete'))
  return el('span', { class: 'ops' }, disconnect, ' ', remove)
}
