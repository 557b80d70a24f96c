import { readFileSync } from 'node:fs'

/**
 * SessionLab's version, read from package.json at start: there is no build
 * step to stamp it in, and one source cannot disagree with itself.
 * `--version` prints it and `$SYS/broker/version` publishes it.
 */
export const version: string = readVersion()

function readVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const found = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'version') : undefined
  if (typeof found !== 'string') throw new Error('package.json has no "version"')
  return found
}
