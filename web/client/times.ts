/**
 * Times as an operator reads them, in the list and on the session page: how
 * long ago first ("3 min ago", "2 days ago"), and the moment itself with its
 * date when it is not today, so a session offline for days shows which day.
 * Pure: `now` is passed in.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A duration in its largest units: "45 s", "12 min", "3 h 20 min", "4 d 2 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / SECOND))
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago"; "in 3 s" for a clock ahead of ours. */
export function relativeTime(ms: number, now: number): string {
  const ago = now - ms
  if (ago < 0) return ago > -MINUTE ? 'just now' : `in ${span(-ago)}`
  if (ago < 5 * SECOND) return 'just now'
  return `${span(ago)} ago`
}

/** The coarse unit a list column has room for. */
function span(ms: number): string {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`
  const days = Math.floor(ms / DAY)
  return days === 1 ? '1 day' : `${days} days`
}

/** The full local date and time, e.g. "2026-12-04 14:32:46". */
export function absoluteTime(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** A moment: its time of day, with the date in front when it is not `now`'s day. */
export function moment(ms: number, now = Date.now()): string {
  const at = new Date(ms)
  const clock = at.toLocaleTimeString()
  return at.toDateString() === new Date(now).toDateString()
    ? clock
    : `${at.toLocaleDateString()} ${clock}`
}

/** "14:02:05 (3 min ago)", or "—" for no time. */
export function momentAgo(ms: number | null, now = Date.now()): string {
  return ms === null ? '—' : `${moment(ms, now)} (${relativeTime(ms, now)})`
}

/** "expires in 2 h 3 min (at 2026-12-05 14:02:05)"; "expired 3 min ago (at ...)" once past. */
export function expiresIn(at: number, now = Date.now()): string {
  const when = `(at ${absoluteTime(at)})`
  return at >= now
    ? `expires in ${duration(at - now)} ${when}`
    : `expired ${duration(now - at)} ago ${when}`
}
