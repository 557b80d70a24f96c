import type { Database } from 'better-sqlite3'

/**
 * The version of the layout below, kept in `meta.schema_version`. Raise it
 * with every change to the tables and add a migration from the previous one;
 * a file with a higher version was written by a newer SessionLab and is left
 * alone.
 */
export const SCHEMA_VERSION = 1

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

-- ClientIDs that have a persistent session (CleanSession=0).
CREATE TABLE sessions (
  client_id TEXT PRIMARY KEY
) WITHOUT ROWID;

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
-- The messageId index holds in-flight rows only: queueing does not touch it.
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
  extra BLOB
);
CREATE INDEX outgoing_by_client ON outgoing (client_id, id);
CREATE INDEX outgoing_by_message_id ON outgoing (client_id, message_id) WHERE message_id IS NOT NULL;
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
`

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
