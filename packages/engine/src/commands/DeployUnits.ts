/**
 * A deploy writes its own campaign's units and nobody else's: the rows are keyed by
 * campaign, so another campaign naming the same office keeps its own name and parent.
 * A redeploy replaces the rows, as it replaces the machines.
 */
import type { Campaign } from "@liandong/workflow"
import { Effect } from "effect"
import { query, type Tx } from "../Db.ts"
import { clearUnits, insertUnits } from "../sql/Deploy.ts"

/** Rows per multi-row insert: a national campaign has 50,000 units. */
const batchSize = 1000

/** Cuts `items` into insert-sized batches. */
export const chunks = <A>(items: ReadonlyArray<A>): A[][] => {
  const out: A[][] = []
  for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize))
  return out
}

const topological = (definition: Campaign) => {
  const byKey = new Map(definition.units.map((u) => [u.key, u]))
  const ordered: Campaign["units"][number][] = []
  const seen = new Set<string>()
  const visit = (key: string) => {
    const unit = byKey.get(key)
    if (unit === undefined || seen.has(key)) return
    seen.add(key)
    if (unit.parent !== null) visit(unit.parent)
    ordered.push(unit)
  }
  for (const unit of definition.units) visit(unit.key)
  return ordered
}

/** Replaces the campaign's unit rows with the definition's. */
export const writeUnits = (tx: Tx, definition: Campaign) =>
  Effect.gen(function* () {
    yield* query("units.clear", (db) => clearUnits(db, definition.key), tx)
    // Parents first, so the hierarchy's foreign key holds (it is checked at the end of each statement).
    for (const batch of chunks(topological(definition)))
      yield* query("units.insert", (db) => insertUnits(db, definition.key, batch), tx)
  })
