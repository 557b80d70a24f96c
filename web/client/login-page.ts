import type { ViewAnswer } from '../shared/ui.ts'
import { ApiError, postJson } from './api.ts'
import { byId, el } from './dom.ts'

/** Operator login with the admin token (or logout). */
export function loginPage(view: ViewAnswer): void {
  const message = el('p', { id: 'login-message' })
  if (view.operator) {
    const out = el('button', { type: 'button', id: 'logout' }, 'Log out')
    out.addEventListener('click', async () => {
      await postJson('/ui/logout')
      location.href = '/'
    })
    byId('main').replaceChildren(
      el('h1', {}, 'Operator'),
      el('p', {}, 'You are logged in as operator.'),
      out,
    )
    return
  }
  const token = el('input', { id: 'token', type: 'password', autocomplete: 'off' })
  const form = el(
    'form',
    { id: 'login' },
    el('label', {}, 'Admin token ', token),
    ' ',
    el('button', { type: 'submit' }, 'Log in'),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      // the viewer id (and its CSRF token) changes on login: the reload takes the new ones
      await postJson('/ui/login', { token: token.value })
      location.href = '/'
    } catch (err) {
      message.textContent = err instanceof ApiError ? err.message : String(err)
    }
  })
  byId('main').replaceChildren(
    el('h1', {}, 'Operator login'),
    el(
      'p',
      {},
      "The token is the broker's admin token (printed at first start, kept in <data-dir>/admin-token).",
    ),
    form,
    message,
  )
}
