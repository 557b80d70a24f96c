import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory under the OS temp dir; `remove` deletes it and its contents. */
export function makeTempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'sessionlab-store-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
