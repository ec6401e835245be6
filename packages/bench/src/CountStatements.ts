/**
 * Counts the statements a process sends to PostgreSQL, by their first words, and writes them
 * at exit to `$LIANDONG_COUNT_STATEMENTS/<pid>.json`. Preloaded into every process of a bench
 * run, it shows where the round trips go:
 *
 *   LIANDONG_COUNT_STATEMENTS=/tmp/counts NODE_OPTIONS="--import ./packages/bench/src/CountStatements.ts" \
 *     node packages/bench/src/main.ts --cli-runs 0 --no-pglite --no-peer
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import pg from "pg"

const folder = process.env.LIANDONG_COUNT_STATEMENTS
if (folder !== undefined && folder !== "") {
  const counts = new Map<string, number>()
  const original = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { readonly text?: string } | undefined
    const text = typeof first === "string" ? first : (first?.text ?? "")
    const head = text.replace(/\s+/g, " ").trim().slice(0, 60)
    counts.set(head, (counts.get(head) ?? 0) + 1)
    return (original as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof original
  process.on("exit", () => {
    const sorted = [...counts].sort((a, b) => b[1] - a[1])
    if (sorted.length === 0) return
    mkdirSync(folder, { recursive: true })
    const total = sorted.reduce((sum, [, n]) => sum + n, 0)
    const process_ = { argv: process.argv.slice(1, 3), total, statements: Object.fromEntries(sorted) }
    writeFileSync(join(folder, `${process.pid}.json`), `${JSON.stringify(process_, null, 1)}\n`)
  })
}
