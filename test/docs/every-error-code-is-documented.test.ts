import { expect, test } from 'vitest'
import { ErrorCodes } from '../../broker/errors.ts'
import { ClientErrorCodes } from '../../clients/errors.ts'
import { readDoc } from './markdown.ts'

/** docs/errors.md's `### CODE` entries under the `##` section whose title names `file`. */
function documentedCodes(file: string): Map<string, string> {
  const sections = readDoc('docs/errors.md').split(/^## /m)
  const section = sections.find((s) => (s.split('\n', 1)[0] ?? '').includes(file))
  if (section === undefined) throw new Error(`docs/errors.md has no section for ${file}`)
  const entries = new Map<string, string>()
  for (const entry of section.split(/^### /m).slice(1)) {
    const [code = '', ...body] = entry.split('\n')
    entries.set(code.trim(), body.join('\n'))
  }
  return entries
}

const catalogues = [
  { file: 'broker/errors.ts', codes: ErrorCodes as Record<string, string> },
  { file: 'clients/errors.ts', codes: ClientErrorCodes as Record<string, string> },
]

test.each(catalogues)(
  'every code of $file is documented in docs/errors.md, and no other',
  ({ file, codes }) => {
    const documented = documentedCodes(file)
    expect([...documented.keys()].sort()).toEqual(Object.keys(codes).sort())
  },
)

test.each(catalogues)(
  'each code of $file is documented with its catalogue description and what to do',
  ({ file, codes }) => {
    const documented = documentedCodes(file)
    for (const [code, description] of Object.entries(codes)) {
      const body = documented.get(code)
      if (body === undefined) continue // reported by the test above
      expect(body, code).toContain(`> ${description}\n`)
      expect(body, code).toContain('**Do:**')
    }
  },
)
