#!/usr/bin/env node
// Thin launcher: registers tsx so the TypeScript sources run as they are,
// with no build step between a fresh clone and a running broker.
import { register } from 'tsx/esm/api'

register()
await import('../broker/main.ts')
