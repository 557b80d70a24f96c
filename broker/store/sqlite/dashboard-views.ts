import type { Database, Statement } from 'better-sqlite3'
import type { DashboardViewRecord } from '../types.ts'

interface ViewRow {
  id: string
  last_seen: number
  data: string
}

/** The dashboard's persistent views, one row each (schema version 3). */
export class DashboardViews {
  readonly #all: Statement<[], ViewRow>
  readonly #put: Statement<[string, number, string]>
  readonly #delete: Statement<[string]>

  constructor(db: Database) {
    this.#all = db.prepare('SELECT id, last_seen, data FROM dashboard_views')
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO dashboard_views (id, last_seen, data) VALUES (?, ?, ?)',
    )
    this.#delete = db.prepare('DELETE FROM dashboard_views WHERE id = ?')
  }

  all(): DashboardViewRecord[] {
    return this.#all.all().map((row) => ({ id: row.id, lastSeen: row.last_seen, data: row.data }))
  }

  put(views: readonly DashboardViewRecord[]): void {
    for (const view of views) this.#put.run(view.id, view.lastSeen, view.data)
  }

  delete(ids: readonly string[]): void {
    for (const id of ids) this.#delete.run(id)
  }
}
