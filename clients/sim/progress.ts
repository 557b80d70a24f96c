import type { CommandIo } from '../io.ts'
import type { SimProgress } from './run.ts'

const WIDTH = 24

/** `persistent [#########.......] 120/200 published, 3 offline`, redrawn on a terminal's stderr. */
export function progressBar(io: CommandIo) {
  let last: SimProgress | null = null
  return {
    update(p: SimProgress) {
      if (last?.strategy !== p.strategy && !io.stderrIsTTY) io.stderr(`running ${p.strategy}...\n`)
      last = p
      if (!io.stderrIsTTY) return
      const filled = Math.round((p.published / p.messages) * WIDTH)
      const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`
      io.stderr(
        `\r\x1b[2K${p.strategy.padEnd(11)} [${bar}] ${p.published}/${p.messages} published, ${p.offline} offline`,
      )
    },
    clear() {
      if (io.stderrIsTTY && last) io.stderr('\r\x1b[2K')
    },
  }
}
