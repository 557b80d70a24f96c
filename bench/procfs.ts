import { readFileSync } from 'node:fs'

/**
 * CPU accounting from Linux's /proc, in milliseconds. Both counters tick in USER_HZ (1/100 s,
 * whatever the kernel's HZ), so they are rough for intervals under a second. Each returns
 * undefined where there is no /proc (not Linux, or the process is gone).
 */
const TICK_MS = 10

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** CPU time (user + system, all threads) of one process, from /proc/PID/stat. */
export function processCpuMs(pid: number): number | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // The command name in parentheses may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

/** CPU of every process in `pids`, summed; undefined if any is unreadable. */
export function processesCpuMs(pids: number[]): number | undefined {
  if (pids.length === 0) return undefined
  let sum = 0
  for (const pid of pids) {
    const ms = processCpuMs(pid)
    if (ms === undefined) return undefined
    sum += ms
  }
  return sum
}

/**
 * CPU time every core spent busy, summed (user, nice, system, irq, softirq, steal; not idle or
 * iowait), from the first line of /proc/stat. What the harness did not spend itself came from
 * other processes on the machine, or the hypervisor.
 */
export function machineBusyMs(): number | undefined {
  const line = readOrUndefined('/proc/stat')?.split('\n', 1)[0]
  if (line === undefined || !line.startsWith('cpu ')) return undefined
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) *
    TICK_MS
  )
}
