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
import { formatProblems, issueProblems } from "@liandong/workflow"
import { Result, Schema } from "effect"
import pg from "pg"
import { runBench } from "./Bench.ts"
import { serverUrl } from "./Database.ts"
import { table } from "./Table.ts"

const Count = (min: number, max: number) =>
  Schema.NumberFromString.check(
    Schema.isInt({ message: "须为整数 / must be a whole number" }),
    Schema.isBetween(
      { minimum: min, maximum: max },
      { message: `须在 ${min} 到 ${max} 之间 / must be ${min} to ${max}` },
    ),
  )

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

/** What `pnpm bench --help` prints. */
export const usage = `用法 / usage: pnpm bench [flags]

  --units N            参与单位数 / units in the nation (default 500; 50000 for the national run)
  --pglite-units N     嵌入式数据库的单位数 / units on embedded PGlite (default: units, at most 250)
  --seed N             脚本的随机种子 / the script's seed (default 426)
  --workers N          工作进程数 / worker processes (default 2)
  --concurrency N      同时在途的命令数 / commands in flight (default 16)
  --step-hours N       满负荷时日历每步的小时数 / calendar step flat out, hours (default 1)
  --peer-max-events N  同行对照的最多任务数 / the peer's most jobs (default 100000)
  --audit-rows N       离线核验的行数 / rows of the offline audit (default 100000; 0: none)
  --cli-runs N         每条 CLI 命令计时次数 / timings of each CLI command (default 20; 0: none)
  --no-peer            不运行同行对照 / skip the peer (graphile-worker)
  --no-pglite          不运行嵌入式数据库 / skip embedded PGlite
  --sources            从 TypeScript 源码运行 / run the parts from sources, not bundles
  --json               在标准输出打印 JSON / print the JSON on stdout
  --out DIR            JSON 的目录 / where the JSON goes (default out/bench)
  --help               打印本说明 / print this`

const options = {
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
  help: { type: "boolean", short: "h", default: false },
} as const

/** Node's refusals of a command line, in Chinese (its own message follows in English). */
const parseErrors: Record<string, string> = {
  ERR_PARSE_ARGS_UNKNOWN_OPTION: "不认识的参数",
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: "参数缺少取值",
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: "多余的参数",
}

const parsed = (() => {
  try {
    return parseArgs({ options })
  } catch (error) {
    // An unknown flag or a missing value: said in both languages, then how to ask for help.
    const zh = parseErrors[(error as { code?: string }).code ?? ""] ?? "参数无法解析"
    console.error(
      `参数有误 / invalid flags:\n${zh} / ${error instanceof Error ? error.message : String(error)}\n` +
        "用 --help 查看可用参数 / --help lists the flags",
    )
    process.exit(2)
  }
})()
if (parsed.values.help) {
  console.log(usage)
  process.exit(0)
}
const { help: _help, ...values } = parsed.values

const decoded = Schema.decodeUnknownResult(Flags)(values, { errors: "all" })
if (Result.isFailure(decoded)) {
  const problems = issueProblems(decoded.failure.issue).map((p) => ({ ...p, path: `--${p.path}` }))
  console.error(`参数有误 / invalid flags:\n${formatProblems(problems)}`)
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
