import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AEDES_PRIVATE_FIELDS } from '../../broker/aedes/internals.ts'

/**
 * broker/aedes/ is the one seam to aedes' and mqtt-packet's internals: an
 * aedes upgrade is a change to that folder. Outside it, the type checker
 * refuses aedes' private fields (they are not in its typings); this test
 * refuses the ways around the type checker.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SEAM = 'broker/aedes/'
const SOURCE_DIRS = ['broker', 'clients', 'web', 'bin', 'bench']
const LIBRARIES = [
  'aedes',
  'aedes-packet',
  'aedes-persistence',
  'mqtt-packet',
  'mqemitter',
  'mqemitter-redis',
]

function files(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'out') out.push(...files(path))
    } else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/** The file's code without comments and string contents, so prose and data never match. */
function code(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
}

const outsideSeam = (path: string) => !path.startsWith(SEAM)
const sources = SOURCE_DIRS.flatMap(files).filter(outsideSeam)
// this test reads the seam's list of private fields, and names them
const THIS_TEST = 'test/aedes/only-the-seam-reaches-into-aedes.test.ts'
const everything = [...sources, ...files('test').filter((path) => path !== THIS_TEST)]

function offenders(paths: string[], pattern: RegExp): string[] {
  const found: string[] = []
  for (const path of paths) {
    const lines = code(path).split('\n')
    lines.forEach((line, i) => {
      if (pattern.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`)
    })
  }
  return found
}

describe('only broker/aedes/ reaches into aedes', () => {
  it('no other file imports the seam’s private types', () => {
    expect(offenders(everything, /aedes\/internals\.ts['"]/)).toEqual([])
  })

  it('no other file names a private field of aedes', () => {
    const names = AEDES_PRIVATE_FIELDS.join('|')
    expect(
      offenders(everything, new RegExp(`\\.\\s*(${names})\\b|\\b(${names})\\s*[?]?:`)),
    ).toEqual([])
  })

  it('no other source file reaches an underscored field of anything', () => {
    // Node's stream methods are implemented, not reached: `_read(` in a class body
    expect(offenders(sources, /\.\s*_[A-Za-z]\w*/)).toEqual([])
  })

  it('no other file imports a library’s files past its entry point', () => {
    const deep = new RegExp(`from\\s+['"](${LIBRARIES.join('|')})/(?!abstract\\.js)`)
    expect(offenders(everything, deep)).toEqual([])
  })

  it('broker code outside the seam imports only types from those libraries', () => {
    const broker = sources.filter((path) => path.startsWith('broker/'))
    const value = new RegExp(`^import\\s+(?!type\\b)[^'"]*from\\s+['"](${LIBRARIES.join('|')})['"]`)
    expect(offenders(broker, value)).toEqual([])
  })

  it('casts that silence the type checker appear only at the seam', () => {
    expect(offenders(sources, /\bas\s+never\b|\bas\s+unknown\s+as\b|\bas\s+any\b/)).toEqual([])
  })
})

describe('the libraries behind the seam are pinned', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }

  it.each([
    'aedes',
    'mqtt-packet',
    'aedes-packet',
    'mqemitter',
    'mqemitter-redis',
    'aedes-persistence',
  ])('%s is pinned to the exact version installed', (name) => {
    const wanted = pkg.dependencies[name]
    expect(wanted, `${name} in package.json dependencies`).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/)
    // read from node_modules: aedes' `exports` do not include its package.json
    const installed = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string }
    expect(installed.version).toBe(wanted)
  })
})

// the seam itself is found where the test says it is
it('the seam exists', () => {
  expect(files('broker/aedes').map((p) => relative('broker/aedes', p))).toContain('internals.ts')
})
