/**
 * Named prepared statements for the statements a process sends again and again. PostgreSQL
 * parses and plans an unnamed statement afresh every time; the engine's hot statements are
 * large (one statement a step, with up to eight data-modifying parts), and planning them cost
 * as much as running them. A statement text seen a second time is given a name, and each
 * connection prepares it once; PostgreSQL then keeps its plan (a generic one once it has seen
 * that one is as good).
 *
 * Bounded: at most `limit` names a process, so texts that vary (lists of ids of any length)
 * cannot grow the server's memory without end; past it statements go unnamed as before.
 *
 * A schema changed under a prepared `select *` (a new version's migration while this one
 * runs) makes PostgreSQL refuse the statement ("cached plan must not change result type"):
 * every name is then forgotten, so the statement is prepared again under a new name, and the
 * error is one a transaction retries (`isStalePlan`).
 */
import pg from "pg"

/**
 * Put first in a statement whose best plan depends on its parameters' values (rows due by a
 * time, an array of ids to join): it is planned each time, never prepared. A generic plan
 * cannot know how few rows `due_at <= $1` selects and scans the table instead of the index.
 */
export const plannedEachTime = "/* planned each time */"

/** The most statement texts a process names. */
export const preparedLimit = 400

/** True for PostgreSQL's refusal of a prepared statement whose result type changed. */
export const isStalePlan = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  error.code === "0A000" &&
  "message" in error &&
  typeof error.message === "string" &&
  error.message.includes("cached plan must not change result type")

/** What names the statements of one pool: each text's name once given, else how often it was seen. */
export class StatementNames {
  private readonly seen = new Map<string, string | number>()
  private readonly limit: number
  private named = 0
  private generation = 0

  constructor(limit = preparedLimit) {
    this.limit = limit
  }

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.seen.get(text)
    if (typeof known === "string") return known
    if (text.startsWith(plannedEachTime)) return undefined
    if (this.named >= this.limit) return undefined
    if (known === undefined) {
      // Only texts seen twice: a statement sent once would hold the server's memory for nothing.
      if (this.seen.size < this.limit * 4) this.seen.set(text, 1)
      return undefined
    }
    const name = `liandong_${this.generation}_${++this.named}`
    this.seen.set(text, name)
    return name
  }

  /** Forgets every name: the next use of each text prepares it again under a new one. */
  forget(): void {
    this.seen.clear()
    this.named = 0
    this.generation++
  }

  /** How many texts have a name (for tests). */
  get size(): number {
    return this.named
  }
}

/**
 * A pg Client class whose parameterized statements go as named prepared statements, named by
 * `names` (one per pool, shared by its connections). Callbacks, query objects and cursors go
 * through untouched.
 */
export const preparingClient = (names: StatementNames): typeof pg.Client =>
  class PreparingClient extends pg.Client {
    // pg's query() has many overloads; this narrows none of them.
    override query(...args: any[]): any {
      const [config, values, callback] = args
      const plain = super.query.bind(this) as (...args: any[]) => any
      if (typeof config !== "string" || !Array.isArray(values) || values.length === 0 || callback !== undefined)
        return plain(...args)
      const name = names.nameOf(config)
      if (name === undefined) return plain(config, values)
      return (plain({ name, text: config, values }) as Promise<unknown>).catch((error: unknown) => {
        if (isStalePlan(error)) names.forget()
        throw error
      })
    }
  }
