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

/**
 * Put first in a transaction's first statement whose generic plan is as good as any: the
 * transaction runs with `plan_cache_mode = force_generic_plan` from it on, set with its `begin`
 * in the same round trip, so the prepared statement's plan is kept rather than made afresh for
 * each call's values. For a statement whose every comparison with a parameter leads an index
 * walked in order to a limit (a worker's claim), where PostgreSQL's own choice went on planning
 * it each time at more than it cost to run.
 */
export const genericPlan = "/* generic plan */"

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
 * Put first in the last statement of a transaction (the engine's journal append, a notice's
 * fan-out): the client sends the transaction's `COMMIT` with it, in one round trip, and
 * answers the `commit` that follows without sending it. If the statement fails, the commit is never run (the server skips to
 * the end of the group) and the transaction is rolled back as before.
 */
export const thenCommit = "/* then commit */"

// Prepared once a connection, so that a round trip that opens or closes a transaction holds no
// parse of its own: the client marks a statement parsed when the server says so, and a parse
// of `begin` answered ahead of a statement's would mark that statement parsed too early.
const beginStatement = { name: "liandong_begin", text: "begin" }
const commitStatement = { name: "liandong_commit", text: "commit" }
const genericStatement = { name: "liandong_generic_plan", text: "set local plan_cache_mode = force_generic_plan" }

/** What a control statement answered without a round trip returns: a result as pg gives it. */
const answered = (command: string) => Promise.resolve({ command, rowCount: null, oid: null, rows: [], fields: [] })

type Callback = (error: Error | null, result?: unknown) => void

// pg's Query, with the members its types leave out (the ones a subclass overrides).
const Query = pg.Query as unknown as new (
  config: object,
  values: undefined,
  callback: Callback,
) => {
  portal: string
  callback: Callback | undefined
  prepare(connection: any): void
  handleCommandComplete(message: any, connection: any): void
  handleReadyForQuery(connection: any): void
}

/**
 * A statement sent in one group with the transaction's `BEGIN` before it and, or, its
 * `COMMIT` after it: bind and execute of the connection's prepared `begin`, the statement's
 * own messages, bind and execute of `commit`, then one sync. An error anywhere makes the
 * server skip the rest of the group, so nothing runs outside the transaction and nothing
 * commits after a failure. The control statements' completions are not the statement's result.
 */
class EdgeQuery extends Query {
  private readonly begins: boolean
  private readonly commits: boolean
  /** control statements answered before the statement's own: `begin`, the generic plans' setting */
  private readonly before: number
  private readonly generic: boolean
  private completions = 0
  private commitTag: string | undefined

  constructor(
    config: { name?: string; text: string; values: unknown[] },
    begins: boolean,
    commits: boolean,
    done: Callback,
    generic = false,
  ) {
    super(config, undefined, done)
    this.begins = begins
    this.commits = commits
    this.generic = generic
    this.before = (begins ? 1 : 0) + (generic ? 1 : 0)
  }

  override prepare(connection: any): void {
    for (const [control, sent] of [
      [beginStatement, this.begins],
      [genericStatement, this.generic],
    ] as const) {
      if (!sent) continue
      connection.bind({ statement: control.name, portal: "", values: [] })
      connection.execute({ portal: "" })
    }
    super.prepare(connection)
  }

  // pg sends a statement's execute and then sync here: the commit goes between them.
  _getRows(connection: any, rows: number | undefined): void {
    connection.execute({ portal: this.portal, rows })
    if (this.commits) {
      connection.bind({ statement: commitStatement.name, portal: "", values: [] })
      connection.execute({ portal: "" })
    }
    connection.sync()
  }

  override handleCommandComplete(message: any, connection: any): void {
    const index = this.completions++
    if (index < this.before) return
    if (this.commits && index === this.before + 1) {
      this.commitTag = message.text
      return
    }
    super.handleCommandComplete(message, connection)
  }

  override handleReadyForQuery(connection: any): void {
    if (this.commits && this.commitTag !== "COMMIT" && this.callback) {
      this.callback(new Error(`the transaction ended with ${this.commitTag ?? "nothing"} instead of COMMIT`))
      return
    }
    super.handleReadyForQuery(connection)
  }
}

/**
 * A pg Client class whose parameterized statements go as named prepared statements, named by
 * `names` (one per pool, shared by its connections), and whose transactions take no round
 * trips of their own: `begin` is held and sent with the transaction's first statement, and
 * `commit` goes with a statement marked `thenCommit` (see `EdgeQuery`). A connection's first
 * transaction prepares both the plain way. Callbacks, query objects and cursors go through
 * untouched (after a held `begin`).
 */
export const preparingClient = (names: StatementNames): typeof pg.Client =>
  class PreparingClient extends pg.Client {
    /** `begin` received and not yet sent; or the transaction committed with its last statement */
    private edge: "none" | "begun" | "committed" = "none"

    private parsed(statement: { readonly name: string }): boolean {
      return (this as any).connection.parsedStatements[statement.name] !== undefined
    }

    // pg's query() has many overloads; this narrows none of them.
    override query(...args: any[]): any {
      const [config, values, callback] = args
      const plain = super.query.bind(this) as (...args: any[]) => any
      if (typeof config !== "string" || callback !== undefined || (values !== undefined && !Array.isArray(values))) {
        if (this.edge === "begun") {
          // Queued ahead of it: pg sends one query at a time, in order. A `begin` fails only
          // with its connection, and what is queued behind it then fails too.
          this.edge = "none"
          plain({ ...beginStatement, values: [] }).catch(() => undefined)
        }
        return plain(...args)
      }
      const bare = values === undefined || values.length === 0
      if (bare) {
        if (config === "begin" && this.edge === "none" && this.parsed(beginStatement)) {
          this.edge = "begun"
          return answered("BEGIN")
        }
        if (config === "commit" || config === "rollback") {
          const edge = this.edge
          this.edge = "none"
          // Nothing was sent since `begin`: there is nothing to end. Or the commit went already.
          if (edge === "begun") return answered(config.toUpperCase())
          if (edge === "committed") return answered("COMMIT")
          if (config === "commit") return plain({ ...commitStatement, values: [] })
          return plain(config, values)
        }
      }
      if (this.edge === "committed")
        return Promise.reject(new Error("a statement was sent after its transaction committed"))
      if (bare) {
        if (config === "begin") return plain({ ...beginStatement, values: [] })
        if (this.edge === "begun") {
          // A text without parameters may hold several statements, which one group cannot: `begin` first.
          this.edge = "none"
          return plain({ ...beginStatement, values: [] }).then(() => plain(config, values))
        }
        return plain(config, values)
      }
      const generic = config.startsWith(genericPlan)
      if (generic && !(this.edge === "begun" && this.parsed(genericStatement))) {
        // The setting in a round trip of its own, after the held `begin` (once a connection, or in a
        // transaction begun before), then the statement: one query at a time, as pg 9 requires. A
        // failure of either leaves the statement to fail with its connection, as it would.
        const begun = this.edge === "begun"
        this.edge = "none"
        const ahead = begun ? plain({ ...beginStatement, values: [] }) : Promise.resolve()
        const next = () => this.send(plain, config, values, false)
        return ahead.then(() => plain({ ...genericStatement, values: [] })).then(next, next)
      }
      return this.send(plain, config, values, generic)
    }

    /** A parameterized statement: named when its text is, with the held `begin` and its commit when due. */
    private send(
      plain: (...args: any[]) => any,
      config: string,
      values: unknown[],
      generic: boolean,
    ): Promise<unknown> {
      const begins = this.edge === "begun"
      const commits = config.startsWith(thenCommit) && this.parsed(commitStatement)
      this.edge = "none"
      const name = names.nameOf(config)
      const sent: Promise<unknown> =
        begins || commits
          ? new Promise((resolve, reject) => {
              const statement = { ...(name === undefined ? {} : { name }), text: config, values }
              plain(
                new EdgeQuery(
                  statement,
                  begins,
                  commits,
                  (error, result) => (error ? reject(error) : resolve(result)),
                  generic,
                ),
              )
            })
          : plain(name === undefined ? config : { name, text: config }, values)
      return sent.then(
        (result) => {
          if (commits) this.edge = "committed"
          return result
        },
        (error: unknown) => {
          if (isStalePlan(error)) names.forget()
          throw error
        },
      )
    }
  }
