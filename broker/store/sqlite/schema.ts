import type { Database } from 'better-sqlite3'

/**
 * The version of the layout below, kept in `meta.schema_version`. Raise it
 * with every change to the tables and add a migration from the previous one;
 * a file with a higher version was written by a newer SessionLab and is left
 * alone.
 */
export const SCHEMA_VERSION = 6

/**
 * The dashboard's persistent views (version 3), by viewer id: data is the
 * dashboard's own JSON (state and missed changes), last_seen ms since the epoch.
 */
const DASHBOARD_VIEWS_DDL = `
CREATE TABLE dashboard_views (
  id TEXT PRIMARY KEY,
  last_seen INTEGER NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
`

/**
 * The session list sorted by a time (version 4): the expressions are those
 * the list orders by (broker/store/sqlite/sorted-sessions.ts), -1 standing
 * for a time not known, so a page is read off the index in order.
 */
const SESSION_SORT_DDL = `
CREATE INDEX sessions_by_connected_at ON sessions (coalesce(connected_at, -1), client_id);
CREATE INDEX sessions_by_last_activity ON sessions (coalesce(last_activity, -1), client_id);
`

/**
 * MQTT 5 Session Expiry (version 5): `session_expiry` is the session's
 * interval in seconds, NULL for an MQTT 3.1.1 session (`--session-expiry`
 * governs those). A session ends at disconnected_at + session_expiry s,
 * read off this index in order; 0xFFFFFFFF never ends [MQTT-3.1.2-11] and
 * is left out of it.
 */
const SESSION_EXPIRY_INDEX_DDL = `
CREATE INDEX sessions_by_end ON sessions (disconnected_at + session_expiry * 1000)
  WHERE session_expiry < 4294967295;
`

/**
 * Booleans are stored as 0/1 and absent values as NULL. `payload` columns are
 * declared BLOB, which converts nothing: a Buffer comes back a Buffer and a
 * string a string.
 */
const DDL = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- ClientIDs that have a persistent session (CleanSession=0), and what the
-- inspector shows of them (version 2). Times are ms since the epoch;
-- disconnected_at is NULL while connected.
CREATE TABLE sessions (
  client_id TEXT PRIMARY KEY,
  protocol_version INTEGER,
  keepalive INTEGER,
  username TEXT,
  remote_address TEXT,
  created_at INTEGER,
  connected_at INTEGER,
  disconnected_at INTEGER,
  last_activity INTEGER,
  dropped INTEGER NOT NULL DEFAULT 0,
  takeovers INTEGER NOT NULL DEFAULT 0,
  session_expiry INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_by_disconnected_at ON sessions (disconnected_at);

-- rowid order is first-subscription order, which listings keep.
CREATE TABLE subscriptions (
  client_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  qos INTEGER NOT NULL,
  rh INTEGER,
  rap INTEGER,
  nl INTEGER,
  subscription_id INTEGER,
  UNIQUE (client_id, topic)
);
CREATE INDEX subscriptions_by_topic ON subscriptions (topic);

-- The outgoing queue: id order is queue order. message_id is NULL until the
-- PUBLISH is sent; cmd 'pubrel' rows replaced their PUBLISH after PUBREC.
-- A row is found by message_id in memory (InflightRows, loaded at start-up),
-- not by an index that every send and every acknowledgement would update.
-- queued_at (version 2): when the row was queued, ms since the epoch.
CREATE TABLE outgoing (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  broker_id TEXT,
  broker_counter INTEGER,
  message_id INTEGER,
  cmd TEXT NOT NULL,
  topic TEXT,
  payload BLOB,
  qos INTEGER,
  retain INTEGER,
  dup INTEGER,
  extra BLOB,
  queued_at INTEGER
);
CREATE INDEX outgoing_by_client ON outgoing (client_id, id);
CREATE INDEX outgoing_by_origin ON outgoing (client_id, broker_id, broker_counter);

-- QoS 2 PUBLISH packets received and answered with PUBREC, awaiting PUBREL.
CREATE TABLE incoming (
  client_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  broker_id TEXT,
  broker_counter INTEGER,
  cmd TEXT NOT NULL,
  topic TEXT,
  payload BLOB,
  qos INTEGER,
  retain INTEGER,
  dup INTEGER,
  extra BLOB,
  PRIMARY KEY (client_id, message_id)
);

CREATE TABLE wills (
  client_id TEXT PRIMARY KEY,
  broker_id TEXT,
  topic TEXT NOT NULL,
  payload BLOB,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  extra BLOB
);

-- rest: every key of the packet but topic and payload (v8 serialization).
CREATE TABLE retained (
  topic TEXT PRIMARY KEY,
  payload BLOB NOT NULL,
  rest BLOB NOT NULL
);
${DASHBOARD_VIEWS_DDL}
${SESSION_SORT_DDL}
${SESSION_EXPIRY_INDEX_DDL}
`

/**
 * The step from each version to the next, by the version it starts from.
 * Each adds to what is there and never drops data; `at` is the time the
 * migration runs, given to rows that did not record their own.
 */
const MIGRATIONS: Record<number, (db: Database, at: number) => void> = {
  1(db, at) {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN protocol_version INTEGER;
      ALTER TABLE sessions ADD COLUMN keepalive INTEGER;
      ALTER TABLE sessions ADD COLUMN username TEXT;
      ALTER TABLE sessions ADD COLUMN remote_address TEXT;
      ALTER TABLE sessions ADD COLUMN created_at INTEGER;
      ALTER TABLE sessions ADD COLUMN connected_at INTEGER;
      ALTER TABLE sessions ADD COLUMN disconnected_at INTEGER;
      ALTER TABLE sessions ADD COLUMN last_activity INTEGER;
      ALTER TABLE sessions ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sessions ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX sessions_by_disconnected_at ON sessions (disconnected_at);
      ALTER TABLE outgoing ADD COLUMN queued_at INTEGER;
    `)
    // Queued before the upgrade: at least since now, as far as anyone knows.
    db.prepare('UPDATE outgoing SET queued_at = ?').run(at)
  },
  2(db) {
    db.exec(DASHBOARD_VIEWS_DDL)
  },
  3(db) {
    db.exec(SESSION_SORT_DDL)
  },
  // every session of an older file is an MQTT 3.1.1 one: NULL
  4(db) {
    db.exec('ALTER TABLE sessions ADD COLUMN session_expiry INTEGER')
    db.exec(SESSION_EXPIRY_INDEX_DDL)
  },
  // in-flight rows are found in memory now (InflightRows): the index only cost writes
  5(db) {
    db.exec('DROP INDEX IF EXISTS outgoing_by_message_id')
  },
}

/**
 * Brings a file of an older schema version up to {@link SCHEMA_VERSION} in
 * one transaction: either every step applies and the new version is
 * stamped, or the file is left as it was.
 */
export function migrateSchema(db: Database, from: number, at: number): void {
  db.transaction(() => {
    for (let version = from; version < SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version]
      if (!step) throw new Error(`no migration from schema version ${version}`)
      step(db, at)
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION))
  })()
}

/** Creates the tables of an empty file and stamps the schema version. */
export function createSchema(db: Database): void {
  db.transaction(() => {
    db.exec(DDL)
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(SCHEMA_VERSION),
    )
  })()
}

/**
 * The schema version a file holds: 0 for an empty file, undefined when it
 * holds tables but no version (not a SessionLab store).
 */
export function readSchemaVersion(db: Database): number | undefined {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()
  if (tables.length === 0) return 0
  if (!tables.includes('meta')) return undefined
  const value = db
    .prepare("SELECT value FROM meta WHERE key = 'schema_version'")
    .pluck()
    .get() as unknown
  const version = Number(value)
  return Number.isInteger(version) && version > 0 ? version : undefined
}
