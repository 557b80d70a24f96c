import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The folder of the bundled scenario library. */
export const LIBRARY_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url))

/** Every bundled scenario file, sorted; `schema.json` is the format, not a scenario. */
export function libraryFiles(): string[] {
  return readdirSync(LIBRARY_DIR)
    .filter((name) => /\.(ya?ml|json)$/.test(name) && name !== 'schema.json')
    .sort()
    .map((name) => `${LIBRARY_DIR}${name}`)
}
