// The overload burst of issue 18, as a user meets it: P mqtt.js publishers each hand their client
// N QoS 1 PUBLISHes at once, to live subscribers (clean or persistent); prints deliveries/s and
// which subscribers were closed, or, after 20 s without progress, what is missing.
// Usage: node --import tsx bench/burst.ts URL PUBLISHERS N clean,persistent,...
import mqtt from 'mqtt'

const url = process.argv[2] ?? 'mqtt://127.0.0.1:1883'
const pubs = Number(process.argv[3] ?? 1)
const n = Number(process.argv[4] ?? 20000)
const subsKinds = (process.argv[5] ?? 'clean').split(',')
const closed: string[] = []
const subs = await Promise.all(
  subsKinds.map(async (kind, i) => {
    const c = await mqtt.connectAsync(url, {
      clientId: `sub-${kind}-${i}`,
      clean: kind === 'clean',
      reconnectPeriod: 0,
    })
    c.on('close', () => closed.push(c.options.clientId as string))
    await c.subscribeAsync('burst/#', { qos: 1 })
    let got = 0
    const seen = new Set<string>()
    const done = new Promise<void>((resolve) =>
      c.on('message', (t, p) => {
        seen.add(`${t}:${p.toString()}`)
        if (++got === n * pubs) resolve()
      }),
    )
    return { c, done, count: () => got, seen }
  }),
)
const t0 = performance.now()
const publishers = await Promise.all(
  Array.from({ length: pubs }, (_, p) =>
    mqtt.connectAsync(url, { clientId: `pub-${p}`, reconnectPeriod: 0 }),
  ),
)
await Promise.all(
  publishers.map(async (pc, p) => {
    const all: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) all.push(pc.publishAsync(`burst/${p}`, `m${i}`, { qos: 1 }))
    await Promise.all(all)
  }),
)
const tPub = performance.now()
const timeout = setTimeout(() => {
  console.log(
    'TIMEOUT',
    subs.map((s) => s.count()),
    'closed',
    closed,
  )
  const s0 = subs[0].seen
  const missing: string[] = []
  for (let p = 0; p < pubs; p++)
    for (let i = 0; i < n; i++) if (!s0.has(`burst/${p}:m${i}`)) missing.push(`${p}:${i}`)
  const ranges: string[] = []
  let startI = -1,
    prev = -2,
    prevP = ''
  for (const m of missing) {
    const [pp, ii] = m.split(':')
    const i = Number(ii)
    if (pp === prevP && i === prev + 1) {
      prev = i
      continue
    }
    if (startI >= 0) ranges.push(`${prevP}:${startI}-${prev}`)
    startI = i
    prev = i
    prevP = pp
  }
  if (startI >= 0) ranges.push(`${prevP}:${startI}-${prev}`)
  console.log('missing', missing.length, ranges.join(' '))
  process.exit(1)
}, 20000)
await Promise.all(subs.map((s) => s.done))
clearTimeout(timeout)
const t1 = performance.now()
console.log(
  JSON.stringify({
    pubs,
    n,
    subs: subsKinds,
    pubMs: Math.round(tPub - t0),
    allMs: Math.round(t1 - t0),
    rate: Math.round((n * pubs * subs.length) / ((t1 - t0) / 1000)),
    closed,
  }),
)
process.exit(0)
