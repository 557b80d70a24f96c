#!/usr/bin/env node
// Thin launcher: registers tsx so the TypeScript sources run as they are,
// with no build step between a fresh clone and a running broker.
import { register } from 'tsx/esm/api'

register()
// `sessionlab scenario ...` and `sessionlab sim ...` are the client tools;
// anything else (no arguments, or flags) starts the broker.
const clientCommands = new Set(['scenario', 'sim'])
if (clientCommands.has(process.argv[2] ?? '')) {
  await import('../clients/main.ts')
} else {
  await import('../broker/main.ts')
}
