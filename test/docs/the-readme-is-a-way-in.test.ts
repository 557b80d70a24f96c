import { existsSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { expect, test } from 'vitest'
import { libraryFiles } from '../../clients/scenario/library.ts'
import { loadScenarioFiles } from '../../clients/scenario/load.ts'
import { anchorsOf, docPages, isExternal, linksOf, ROOT, readDoc } from './markdown.ts'

const README_MAX_LINES = 200

test('the README fits in 200 lines', () => {
  const lines = readDoc('README.md').replace(/\n$/, '').split('\n')
  expect(lines.length).toBeLessThanOrEqual(README_MAX_LINES)
})

test('the README gives the two commands: npm install && npm start, and npm test', () => {
  const readme = readDoc('README.md')
  expect(readme).toMatch(/^npm install && npm start\b/m)
  expect(readme).toMatch(/^npm test\b/m)
})

test('every relative link of the README and the docs points to a file that exists, and to a heading of it', () => {
  const broken: string[] = []
  for (const page of docPages()) {
    for (const { line, target } of linksOf(readDoc(page))) {
      if (isExternal(target)) continue
      const [path = '', anchor] = target.split('#', 2)
      const file = path === '' ? page : normalize(join(dirname(page), decodeURI(path)))
      const where = `${page}:${line}: ${target}`
      if (file.startsWith('..') || !existsSync(join(ROOT, file))) {
        broken.push(`${where} (no file ${file})`)
        continue
      }
      if (anchor === undefined || !file.endsWith('.md')) continue
      if (statSync(join(ROOT, file)).isDirectory()) continue
      if (!anchorsOf(readDoc(file)).has(anchor)) broken.push(`${where} (no heading #${anchor})`)
    }
  }
  expect(broken).toEqual([])
})

test("every page of docs/ is in the README's documentation index", () => {
  const linked = new Set(linksOf(readDoc('README.md')).map((link) => link.target.split('#')[0]))
  const pages = docPages().filter((page) => page.startsWith('docs/'))
  expect(pages.length).toBeGreaterThan(0)
  expect(pages.filter((page) => !linked.has(page))).toEqual([])
})

test('the tour counts the bundled scenarios, and the MQTT 5 ones, as the library holds them', async () => {
  const scenarios = await loadScenarioFiles(libraryFiles())
  const mqtt5 = scenarios.filter((s) =>
    s.steps.some((step) => step.action === 'connect' && step.protocol === 5),
  )
  expect(readDoc('README.md')).toContain(
    `${scenarios.length} scenarios, ${mqtt5.length} of them MQTT 5, all pass`,
  )
})
