import { expect, test } from 'vitest'
import { type Config, fields } from '../../broker/config.ts'
import { codeSpan, readDoc, tableRows } from './markdown.ts'

const keys = Object.keys(fields) as (keyof Config)[]

/** docs/options.md's table: flag, config key, default, meaning. */
function optionRows() {
  return tableRows(readDoc('docs/options.md'), 'flag').map(
    ([flag = '', key = '', shown = '', meaning = '']) => ({
      flag: codeSpan(flag)?.replace(/^--/, '') ?? flag,
      key: codeSpan(key) ?? key,
      shown,
      meaning,
    }),
  )
}

test('the options table lists exactly the flags of the config table, each once', () => {
  const documented = optionRows().map((row) => row.flag)
  expect([...documented].sort()).toEqual(keys.map((key) => fields[key].flag).sort())
  expect(new Set(documented).size).toBe(documented.length)
})

test('each flag of the options table has its config key and a meaning', () => {
  for (const row of optionRows()) {
    const key = keys.find((k) => fields[k].flag === row.flag)
    expect(row.key, `--${row.flag}`).toBe(key)
    expect(row.meaning, `--${row.flag}`).not.toBe('')
  }
})

test('each default the options table shows is the config default, and it shows one unless the default is empty', () => {
  for (const row of optionRows()) {
    const key = keys.find((k) => fields[k].flag === row.flag)
    if (key === undefined) continue // reported by the test above
    const shown = codeSpan(row.shown)
    const actual = fields[key].default
    if (shown === null) {
      // "(generated)", "(none)": only for a setting whose default is empty
      expect(actual, `--${row.flag} shows ${row.shown}`).toBe('')
    } else {
      expect(shown, `--${row.flag}`).toBe(String(actual))
    }
  }
})
