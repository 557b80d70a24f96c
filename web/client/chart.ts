import { el } from './dom.ts'

const NS = 'http://www.w3.org/2000/svg'
const W = 600
const H = 140

/** A step chart of queue depth over time, drawn as SVG by hand. */
export function queueChart(samples: { at: number; depth: number }[]): SVGSVGElement {
  const svg = document.createElementNS(NS, 'svg')
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`)
  svg.setAttribute('id', 'queue-chart')
  svg.setAttribute('role', 'img')
  const max = Math.max(1, ...samples.map((s) => s.depth))
  const first = samples[0]?.at ?? 0
  const span = Math.max(1, (samples.at(-1)?.at ?? 0) - first)
  const x = (at: number) => 30 + ((at - first) / span) * (W - 40)
  const y = (d: number) => H - 20 - (d / max) * (H - 30)
  let path = ''
  samples.forEach((s, i) => {
    path += i === 0 ? `M${x(s.at)},${y(s.depth)}` : `H${x(s.at)}V${y(s.depth)}`
  })
  const line = document.createElementNS(NS, 'path')
  line.setAttribute('d', path)
  line.setAttribute('class', 'line')
  const axis = document.createElementNS(NS, 'path')
  axis.setAttribute('d', `M30,10V${H - 20}H${W - 10}`)
  axis.setAttribute('class', 'axis')
  const label = (text: string, lx: number, ly: number) => {
    const t = document.createElementNS(NS, 'text')
    t.setAttribute('x', String(lx))
    t.setAttribute('y', String(ly))
    t.textContent = text
    return t
  }
  svg.append(axis, line, label(String(max), 2, 16), label('0', 2, H - 20))
  svg.append(label(`${Math.round(span / 1000)} s`, W - 40, H - 4))
  return svg
}

export function chartFigure(svg: SVGSVGElement): HTMLElement {
  return el('figure', {}, svg, el('figcaption', {}, 'Queue depth since this page opened'))
}
