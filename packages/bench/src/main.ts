/**
 * `pnpm bench`: runs the benchmark, prints the table, writes the JSON to
 * out/bench/<time>.json (and to stdout with --json). Flags:
 * --units N (default 500; 50000 for the national run), --pglite-units N,
 * --seed N, --workers N, --concurrency N, --step-hours N, --peer-max-events N,
 * --audit-rows N, --cli-runs N (0: no CLI timings), --no-peer, --no-pglite, --sources (the parts and
 * workers from the TypeScript sources, not bundled as deployed), --json, --out DIR.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { Result, Schema } from "effect"
import pg from "pg"
import { runBench } from "./Bench.ts"
import { serverUrl } from "./Database.ts"
import { table } from "./Table.ts"

const Count = (min: number, max: number) =>
  Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: min, maximum: max }))

/** The flags, decoded: every number checked, with its name in the message. */
export const Flags = Schema.Struct({
  units: Count(32, 50_000),
  "pglite-units": Schema.optional(Count(32, 50_000)),
  seed: Count(0, 2 ** 31),
  workers: Count(1, 16),
  concurrency: Count(1, 256),
  "step-hours": Count(1, 24),
  "peer-max-events": Count(1, 10_000_000),
  "audit-rows": Count(0, 10_000_000),
  "cli-runs": Count(0, 1000),
  "no-peer": Schema.Boolean,
  "no-pglite": Schema.Boolean,
  sources: Schema.Boolean,
  json: Schema.Boolean,
  out: Schema.String,
})

const { values } = parseArgs({
  options: {
    units: { type: "string", default: "500" },
    "pglite-units": { type: "string" },
    seed: { type: "string", default: "426" },
    workers: { type: "string", default: "2" },
    concurrency: { type: "string", default: "16" },
    "step-hours": { type: "string", default: "1" },
    "peer-max-events": { type: "string", default: "100000" },
    "audit-rows": { type: "string", default: "100000" },
    "cli-runs": { type: "string", default: "20" },
    "no-peer": { type: "boolean", default: false },
    "no-pglite": { type: "boolean", default: false },
    sources: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    out: { type: "string", default: "out/bench" },
  },
})

const decoded = Schema.decodeUnknownResult(Flags)(values, { errors: "all" })
if (Result.isFailure(decoded)) {
  console.error(`参数有误 / invalid flags:\n${String(decoded.failure)}`)
  process.exit(2)
}
const flags = decoded.success
const progress = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`)

const client = new pg.Client({ connectionString: serverUrl() })
await client.connect()
const server = (
  await client.query<{ v: string; autovacuum: string }>(
    "select current_setting('server_version') as v, current_setting('autovacuum') as autovacuum",
  )
).rows[0]
// With autovacuum off (as on some test servers) dead rows pile up for the whole run: the table says so.
const version = server && `${server.v}${server.autovacuum === "off" ? " (autovacuum off)" : ""}`
await client.end()

const result = await runBench(
  {
    units: flags.units,
    pgliteUnits: flags["pglite-units"] ?? Math.min(flags.units, 250),
    seed: flags.seed,
    workers: flags.workers,
    concurrency: flags.concurrency,
    stepHours: flags["step-hours"],
    peerMaxEvents: flags["peer-max-events"],
    auditRows: flags["audit-rows"],
    peer: !flags["no-peer"],
    pglite: !flags["no-pglite"],
    cliRuns: flags["cli-runs"],
    sources: flags.sources,
  },
  progress,
  version,
)
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), flags.out)
mkdirSync(dir, { recursive: true })
const file = join(dir, `${result.at.replaceAll(":", "-")}.json`)
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
if (flags.json) console.log(JSON.stringify(result))
else console.log(`\n${table(result)}\n\nJSON: ${file}`)
