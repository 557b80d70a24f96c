// Just enough Markdown for the docs tests: the pages, their links, their
// headings (as GitHub turns them into anchors) and their tables.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The text of a file, by its path from the root. */
export function readDoc(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8')
}

/** README.md, SECURITY.md and every page of docs/, as paths from the root. */
export function docPages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', 'SECURITY.md', ...docs]
}

/** The text with fenced code blocks blanked out (line count kept) and inline code removed. */
export function proseOf(text: string): string {
  let fenced = false
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced
        return ''
      }
      return fenced ? '' : line.replace(/`+[^`]*`+/g, 'code')
    })
    .join('\n')
}

export interface Link {
  /** 1-based line of the link in its page. */
  line: number
  target: string
}

/** Every inline link and image target of a page's prose (`[text](target)`, `![alt](target)`). */
export function linksOf(text: string): Link[] {
  const links: Link[] = []
  proseOf(text)
    .split('\n')
    .forEach((line, i) => {
      for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        links.push({ line: i + 1, target: match[1] as string })
      }
    })
  return links
}

/** Whether a link leaves the repository (a URL with a scheme, or protocol-relative). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')
}

/** The anchors GitHub gives a page's headings, duplicates numbered as GitHub numbers them. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    if (fenced) continue
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = slug(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The rows of the first table whose header's first cell is `firstHeader`, header excluded. */
export function tableRows(text: string, firstHeader: string): string[][] {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => cellsOf(line)[0] === firstHeader)
  if (start === -1) throw new Error(`no table with a "${firstHeader}" column`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.trimStart().startsWith('|')) break
    rows.push(cellsOf(line))
  }
  return rows
}

/** The cells of a table row, trimmed; `\|` is a pipe inside a cell. */
export function cellsOf(line: string): string[] {
  const trimmed = line.trim()
  if (!trimmed.startsWith('|')) return []
  return trimmed
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
}

/** The text inside one code span: `` `--host` `` is `--host`; anything else is null. */
export function codeSpan(cell: string): string | null {
  return /^`([^`]*)`$/.exec(cell)?.[1] ?? null
}

/** A path from the root, for messages. */
export function fromRoot(path: string): string {
  return relative(ROOT, path)
}
