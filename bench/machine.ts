import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { MOSQUITTO } from './brokers.ts'

/** What a reader needs to know before comparing figures from two machines. */
export interface MachineInfo {
  date: string
  cores: number
  cpuModel: string
  node: string
  mosquitto: string
}

export function describeMachine(now: Date = new Date()): MachineInfo {
  return {
    date: now.toISOString(),
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    mosquitto: mosquittoVersion(),
  }
}

/** `mosquitto -h` prints its version first and exits non-zero; only the first line matters. */
function mosquittoVersion(): string {
  const result = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8', timeout: 5_000 })
  if (result.error !== undefined) return `unavailable (${result.error.message})`
  return (result.stdout || result.stderr).split('\n', 1)[0]?.trim() ?? 'unknown'
}
