import type { MetricSample } from '../../broker/metrics/history-types.ts'
import type { ViewAnswer } from '../shared/ui.ts'
import { getJson } from './api.ts'
import { comparePage } from './compare-page.ts'
import { byId } from './dom.ts'
import { connectLive } from './live.ts'
import { loginPage } from './login-page.ts'
import { overviewPage } from './overview-page.ts'
import { sessionPage } from './session-page.ts'
import { sessionsPage } from './sessions-page.ts'
import { renderMissed, renderMode } from './view.ts'

/** Entry of the browser code: the page named by `<body data-page>`, its view banner, the live channel. */
async function start(): Promise<void> {
  const view = await getJson<ViewAnswer>('/ui/view')
  renderMode(view)
  let onChange: (clientId: string) => void = () => {}
  let onWelcome = () => {}
  let onMetrics: (sample: MetricSample) => void = () => {}
  switch (document.body.dataset.page) {
    case 'overview': {
      const page = overviewPage()
      onWelcome = () => page.reconnected()
      onMetrics = (sample) => page.sample(sample)
      break
    }
    case 'sessions': {
      const page = sessionsPage(view)
      onChange = () => page.changed()
      break
    }
    case 'session': {
      const page = sessionPage(view)
      onChange = (id) => page.changed(id)
      // the broker samples queue depths as often as it sends metric samples
      onMetrics = () => page.sample()
      onWelcome = () => page.reconnected()
      break
    }
    case 'compare': {
      // measured once this page's own live connection is open, so it is counted
      const page = comparePage()
      onWelcome = () => page.refresh()
      break
    }
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
    welcome: (message) => {
      renderMissed(message)
      onWelcome()
    },
    change: (change) => onChange(change.clientId),
    metrics: (sample) => onMetrics(sample),
  })
}

void start()
