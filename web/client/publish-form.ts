import { describeError, postJson } from './api.ts'
import { el } from './dom.ts'

/**
 * A publish as the broker, for operators: topic, text payload, QoS and
 * retain, sent to `/ui/publish` with the CSRF token. The broker checks every
 * field (as `POST /api/publish` does) and its refusal, which names the field,
 * is shown as it came.
 */
export function publishForm(): HTMLElement {
  const topic = el('input', { id: 'publish-topic', required: '', placeholder: 'plant/boiler/mode' })
  const payload = el('textarea', { id: 'publish-payload', rows: '2' })
  const qos = el('select', { id: 'publish-qos' })
  for (const level of ['0', '1', '2']) qos.append(el('option', { value: level }, level))
  const retain = el('input', { id: 'publish-retain', type: 'checkbox' })
  const send = el('button', { type: 'submit' }, 'Publish')
  const status = el('p', { id: 'publish-status', role: 'status' })
  const form = el(
    'form',
    { id: 'publish-form' },
    el('label', {}, 'Topic ', topic),
    ' ',
    el('label', {}, 'QoS ', qos),
    ' ',
    el('label', {}, retain, ' retain'),
    el('label', { class: 'payload' }, 'Payload ', payload),
    send,
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    send.setAttribute('disabled', '')
    status.className = ''
    status.textContent = 'publishing…'
    try {
      const message = {
        topic: topic.value,
        payload: payload.value,
        qos: Number(qos.value),
        retain: retain.checked,
      }
      await postJson('/ui/publish', message)
      const retained = message.retain ? ', retained' : ''
      status.textContent = `Published to ${message.topic} (QoS ${message.qos}${retained}).`
    } catch (err) {
      status.className = 'error'
      status.textContent = describeError(err)
    } finally {
      send.removeAttribute('disabled')
    }
  })
  return el('details', { id: 'publish' }, el('summary', {}, 'Publish a message'), form)
}
