import type { ViewAnswer } from '../shared/ui.ts'
import { getJson } from './api.ts'
import { comparePage } from './compare-page.ts'
import { byId } from './dom.ts'
import { connectLive } from './live.ts'
import { loginPage } from './login-page.ts'
import { sessionPage } from './session-page.ts'
import { sessionsPage } from './sessions-page.ts'
import { renderMissed, renderMode } from './view.ts'

/** Entry of the browser code: the page named by `<body data-page>`, its view banner, the live channel. */
async function start(): Promise<void> {
  const view = await getJson<ViewAnswer>('/ui/view')
  renderMode(view)
  let onChange: (clientId: string) => void = () => {}
  switch (document.body.dataset.page) {
    case 'sessions': {
      const page = sessionsPage(view)
      onChange = () => page.changed()
      break
    }
    case 'session': {
      const page = sessionPage(view)
      onChange = (id) => page.changed(id)
      break
    }
    case 'compare':
      await comparePage()
      break
    case 'login':
      loginPage(view)
      break
  }
  connectLive({
    status: (text) => {
      const status = byId('live-status')
      status.textContent = text
      status.dataset.state = text
    },
    welcome: (message) => renderMissed(message),
    change: (change) => onChange(change.clientId),
  })
}

void start()
