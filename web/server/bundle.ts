import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'

/** The browser code and style, built once per process from `web/client/` at start-up. */
export interface Assets {
  js: string
  css: string
}

let built: Assets | null = null

/**
 * Bundles `web/client/main.ts` (and the shared message module, and uPlot
 * for the overview's charts) with esbuild in memory: no build step, nothing
 * written, and the browser runs the same typed code `tsc` checks.
 */
export function assets(): Assets {
  if (built !== null) return built
  const entry = fileURLToPath(new URL('../client/main.ts', import.meta.url))
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
  })
  const js = result.outputFiles[0]?.text
  if (js === undefined) throw new Error('esbuild produced no output')
  // uPlot's own stylesheet first (the charts' layout), ours after it so it can override;
  // one file, served from 'self' like the rest, as the pages' CSP asks
  const uplotCss = createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css')
  const css = `${readFileSync(uplotCss, 'utf8')}\n${readFileSync(new URL('../public/style.css', import.meta.url), 'utf8')}`
  built = { js, css }
  return built
}
