import { redacted as redactedUrl } from './store/redis/connect.ts'
// CLI entry: parse the configuration, start the broker, print where it
// listens, reload the password file and ACL on SIGHUP, shut down cleanly
// on SIGINT/SIGTERM. Nothing else lives here.

// the one place broker/ meets web/: the CLI serves the dashboard beside the API
import { dashboard } from '../web/index.ts'
import { createBroker } from './broker.ts'
import { errorMessage } from './coded-error.ts'
import { loadConfig } from './config.ts'
import { isSessionLabError } from './errors.ts'
import { IdleCompaction } from './heap/idle-compaction.ts'
import { describeAdminToken } from './http/admin-token.ts'
import { createLogger } from './log/logger.ts'
import { TurnBuffer } from './log/turn-buffer.ts'
import { describeRestored } from './store/restored.ts'

async function main(): Promise<number> {
  const loaded = loadConfig(process.argv.slice(2), process.env)
  if ('help' in loaded) {
    process.stdout.write(`${loaded.help}\n`)
    return 0
  }
  const { config } = loaded
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    // info and debug a turn at a time; warnings and errors at once
    stdout: new TurnBuffer(process.stdout),
    stderr: process.stderr,
  })
  for (const warning of loaded.warnings) log.warn(warning)
  // Listen for signals before anything starts: one that arrives while the
  // broker is starting (or right after it printed its addresses) still
  // gets a clean shutdown rather than the default kill.
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  // SIGHUP's default would kill the process: ignored until the broker is up
  let reload = () => {}
  process.on('SIGHUP', () => reload())
  const broker = await createBroker(config, log, {
    http: dashboard({
      ...(config.cookieSecret ? { cookieSecret: config.cookieSecret } : {}),
      viewMaxAge: config.viewMaxAge,
    }),
  })
  reload = () => {
    try {
      broker.auth.reload()
      log.info('SIGHUP: reloaded the password file and ACL')
    } catch (err) {
      log.warn(`SIGHUP: ${errorMessage(err)}; keeping the password file and ACL in force`)
    }
  }
  const where =
    config.store === 'sqlite'
      ? ` in ${config.dataDir}`
      : config.store === 'redis'
        ? ` at ${redactedUrl(config.redisUrl)}, node ${broker.aedes.id}`
        : ''
  log.info(`sessionlab ready (store: ${config.store}${where})`)
  log.info(`  MQTT over TCP        ${broker.urls.mqtt}`)
  log.info(`  MQTT over WebSocket  ${broker.urls.ws}`)
  if (broker.urls.mqtts) log.info(`  MQTT over TLS        ${broker.urls.mqtts}`)
  if (broker.urls.wss) log.info(`  MQTT over WSS        ${broker.urls.wss}`)
  log.info(`  HTTP API             ${broker.urls.http}`)
  log.info(`  dashboard            ${broker.urls.http}/`)
  log.info(`  admin token          ${describeAdminToken(broker.adminToken)}`)
  if (broker.orphanedWillsPublished > 0) {
    const by = config.store === 'redis' ? 'nodes that stopped without leaving' : 'the previous run'
    log.info(`  published ${broker.orphanedWillsPublished} Will(s) left by ${by}`)
  }
  if (broker.restored) log.info(`  ${describeRestored(broker.restored)}`)

  const compaction = config.idleCompaction
    ? new IdleCompaction({
        onCompacted: ({ beforeBytes, afterBytes, pauseMs }) =>
          log.info(
            `idle: compacted the heap from ${mib(beforeBytes)} to ${mib(afterBytes)} MiB (${Math.round(pauseMs)} ms pause)`,
          ),
      }).start()
    : null

  log.info(`${await stopped}: shutting down`)
  compaction?.stop()
  await broker.close()
  log.info('stopped')
  return 0
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20)
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isSessionLabError(err)) {
      // the code ends the first line; the lines after it (several config problems) follow
      const [first, ...rest] = err.message.split('\n')
      process.stderr.write(
        `sessionlab: ${first} [${err.code}]\n${rest.map((l) => `${l}\n`).join('')}`,
      )
      process.exit(2)
    }
    process.stderr.write(`sessionlab: unexpected failure: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
