import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { loadConfig } from '../../broker/config.ts'
import { runCli } from '../helpers/child-broker.ts'

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string }

it.each([['--version'], ['-V']])('answers %s with "sessionlab <version>"', (flag) => {
  expect(loadConfig([flag])).toEqual({ help: `sessionlab ${version}` })
})

it('prints the version on stdout and exits 0 from the real CLI, starting nothing', async () => {
  const result = await runCli(['--version'])
  expect(result).toMatchObject({ code: 0, stdout: `sessionlab ${version}\n`, stderr: '' })
})
