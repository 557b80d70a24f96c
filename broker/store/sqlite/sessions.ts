import type { Database, Statement } from 'better-sqlite3'

/** The ClientIDs that have a persistent session (CleanSession=0). */
export class SessionMarkers {
  readonly #open: Statement<[string]>
  readonly #delete: Statement<[string]>

  constructor(db: Database) {
    this.#open = db.prepare('INSERT INTO sessions (client_id) VALUES (?) ON CONFLICT DO NOTHING')
    this.#delete = db.prepare('DELETE FROM sessions WHERE client_id = ?')
  }

  /** Marks the session and tells whether it existed before. */
  open(clientId: string): boolean {
    return this.#open.run(clientId).changes === 0
  }

  delete(clientId: string): void {
    this.#delete.run(clientId)
  }
}
