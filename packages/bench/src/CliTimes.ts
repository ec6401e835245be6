/**
 * The command line as a person or a script meets it: `campaigns`, `tasks`, `ack` and
 * `report`, each run `runs` times as a whole process (node, the launcher, the bundle,
 * opening the database, the command, the exit) on a prepared campaign, on PostgreSQL
 * and on the embedded database. Each run's wall time from spawn to exit, and its peak
 * RSS (written by a preloaded one-liner when the process exits).
 */
import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { campaignKey, nationalCampaign } from "./Campaign.ts"
import { createBenchDatabase } from "./Database.ts"
import { nationalKey } from "./Nation.ts"
import { peakRssAtExitModule } from "./Rss.ts"
import { percentile } from "./Stats.ts"

/** The launcher users run (`pnpm liandong`): the bench times what they get. */
const launcher = fileURLToPath(new URL("../../../apps/cli/bin/liandong.mjs", import.meta.url))

// Plain JavaScript from a data: URL, so that measuring costs no module resolution or type stripping.
// Each process of the command (the launcher runs embedded ones in a child) adds its line.
const rssProbe = `data:text/javascript,${encodeURIComponent(peakRssAtExitModule)}`

/** The timed commands, in the order they run. */
export const cliCommands = ["campaigns", "tasks", "ack", "report"] as const

/** One command's figures on one database. */
export interface CliCommandFigures {
  readonly command: (typeof cliCommands)[number]
  readonly runs: number
  readonly failed: number
  /** runs in which the launcher rebuilt the bundle first (a source changed meanwhile): not in the figures */
  readonly rebuilt: number
  /** wall time from spawn to exit, seconds */
  readonly p50: number
  readonly p95: number
  /** peak RSS, summed over the command's processes */
  readonly rssMb: { readonly p50: number; readonly max: number }
}

/** What the CLI part measured. */
export interface CliTimesFigures {
  readonly runs: number
  readonly units: number
  readonly postgres: ReadonlyArray<CliCommandFigures>
  readonly pglite: ReadonlyArray<CliCommandFigures> | undefined
  /** the first failures' messages, if any */
  readonly failureSamples: ReadonlyArray<string>
}

/** A judged target, as Targets.ts's Verdict (which imports this file). */
interface CliVerdict {
  readonly target: string
  readonly goal: string
  readonly actual: string
  readonly status: "met" | "missed"
  readonly note: string
}

/** The targets: a command's p50 on each database. */
export const cliTargets = { postgres: 0.3, pglite: 1.5 } as const

interface Outcome {
  readonly code: number
  readonly seconds: number
  readonly rssMb: number
  readonly stderr: string
}

const cli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, rssFile: string) =>
  new Promise<Outcome>((resolve, reject) => {
    rmSync(rssFile, { force: true })
    const started = performance.now()
    const child = spawn(process.execPath, ["--import", rssProbe, launcher, ...args], {
      env: { ...env, LIANDONG_BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.on("error", reject)
    child.on("close", async (code) => {
      const seconds = (performance.now() - started) / 1000
      const lines = (await readFile(rssFile, "utf8").catch(() => "")).split("\n").filter((l) => l !== "")
      const kb = lines.reduce((sum, l) => sum + Number(l), 0)
      resolve({ code: code ?? 1, seconds, rssMb: Math.round(kb / 1024), stderr })
    })
  })

const round2 = (n: number) => Math.round(n * 100) / 100

/** Prepares a campaign on one database through the CLI, then times the commands on it. */
const timeOn = async (
  database: "postgres" | "pglite",
  runs: number,
  units: number,
  progress: (line: string) => void,
  failures: string[],
): Promise<CliCommandFigures[]> => {
  const dir = await mkdtemp(join(tmpdir(), `liandong-bench-cli-${database}-`))
  const pg = database === "postgres" ? await createBenchDatabase("cli") : undefined
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", LIANDONG_KEY: join(dir, "key.pem") }
  delete env.DATABASE_URL
  if (pg) env.DATABASE_URL = pg.url
  else env.LIANDONG_DATA = join(dir, "data")
  const rssFile = join(dir, "rss")
  const must = async (...args: string[]) => {
    const outcome = await cli(args, env, rssFile)
    if (outcome.code !== 0) throw new Error(`liandong ${args.join(" ")} failed (${outcome.code}): ${outcome.stderr}`)
  }
  try {
    // Untimed: brings the bundle up to date (the launcher says so if it rebuilds) and fills the compile cache.
    await must("--version")
    if (pg) await must("db", "migrate")
    await must("keys", "init", "--if-missing")
    const input = nationalCampaign(units, 426)
    const definition = join(dir, "campaign.json")
    await writeFile(definition, JSON.stringify(input))
    await must("deploy", definition)
    await must("principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", nationalKey)
    const actors = input.units.filter((unit) => unit.role !== "host").slice(0, runs)
    for (const [i, unit] of actors.entries()) {
      await must("principal", "add", `u${i}`, "--name", unit.name, "--role", "unit", "--unit", unit.key)
    }
    await must("start", campaignKey, "--as", "lead", "--now", "2026-04-05T09:00+08:00")
    await must("worker", "--until-idle", "--now", "2026-04-13T10:00+08:00")
    progress(`cli on ${database}: ${units} units prepared, timing ${runs} runs of ${cliCommands.join(", ")}`)
    const argsFor = (command: (typeof cliCommands)[number], i: number): string[] => {
      const unit = actors[i % actors.length]?.key
      const task = `${campaignKey}/${unit}/publicity`
      switch (command) {
        case "campaigns":
          return ["campaigns", "--as", "lead"]
        case "tasks":
          return ["tasks", "--as", `u${i}`]
        case "ack":
          return ["ack", task, "--as", `u${i}`, "--now", "2026-04-14T10:00+08:00"]
        case "report":
          return [
            ...["report", task, "--as", `u${i}`, "--now", "2026-04-15T10:00+08:00", "--text", "发放资料"],
            ...["brochures=1200", "trainees=60", "lectures=1"].flatMap((figure) => ["--figure", figure]),
          ]
      }
    }
    const figures: CliCommandFigures[] = []
    for (const command of cliCommands) {
      const outcomes: Outcome[] = []
      for (let i = 0; i < runs; i++) outcomes.push(await cli(argsFor(command, i), env, rssFile))
      // A source edited meanwhile makes the launcher rebuild the bundle first (and say so): such a
      // run times the build, so it is counted apart and left out of the figures.
      const rebuilt = outcomes.filter((o) => o.stderr.includes("rebuilding the command line bundle"))
      const failed = outcomes.filter((o) => o.code !== 0)
      for (const o of failed.slice(0, 3 - failures.length))
        failures.push(`${command} on ${database}: ${o.stderr.trim()}`)
      const timed = outcomes.filter((o) => !rebuilt.includes(o))
      const seconds = timed.map((o) => o.seconds)
      const rss = timed.map((o) => o.rssMb)
      figures.push({
        command,
        runs,
        failed: failed.length,
        rebuilt: rebuilt.length,
        p50: round2(percentile(seconds, 50)),
        p95: round2(percentile(seconds, 95)),
        rssMb: { p50: percentile(rss, 50), max: Math.max(...rss) },
      })
    }
    return figures
  } finally {
    await pg?.drop()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Times the CLI on PostgreSQL and, unless `pglite` is false, on the embedded database. */
export const runCliTimes = async (
  options: { runs: number; pglite: boolean },
  progress: (line: string) => void,
): Promise<CliTimesFigures> => {
  const units = Math.max(100, options.runs + 1)
  const failures: string[] = []
  const postgres = await timeOn("postgres", options.runs, units, progress, failures)
  const pglite = options.pglite ? await timeOn("pglite", options.runs, units, progress, failures) : undefined
  return { runs: options.runs, units, postgres, pglite, failureSamples: failures }
}

const line = (figures: CliCommandFigures) =>
  [
    `  ${figures.command.padEnd(10)}`,
    `p50 ${figures.p50.toFixed(2)} s · p95 ${figures.p95.toFixed(2)} s`,
    ` · RSS p50 ${figures.rssMb.p50} MB, max ${figures.rssMb.max} MB`,
    figures.failed > 0 ? ` · ${figures.failed} FAILED` : "",
    figures.rebuilt > 0 ? ` · ${figures.rebuilt} runs rebuilt the bundle, left out` : "",
  ].join("")

/** The part of the table: one line a command and database. */
export const cliTable = (figures: CliTimesFigures): string =>
  [
    `CLI commands, each a whole process (${figures.runs} runs each, a ${figures.units}-unit campaign)`,
    " PostgreSQL",
    ...figures.postgres.map(line),
    ...(figures.pglite ? [" embedded PGlite", ...figures.pglite.map(line)] : []),
    ...figures.failureSamples.map((sample) => `  failure: ${sample.split("\n")[0]}`),
  ].join("\n")

const verdict = (database: string, goal: number, figures: ReadonlyArray<CliCommandFigures>): CliVerdict => {
  const slowest = figures.reduce((a, b) => (b.p50 > a.p50 ? b : a))
  const failed = figures.reduce((n, f) => n + f.failed, 0)
  const met = slowest.p50 < goal && failed === 0
  return {
    target: `CLI command p50, ${database}`,
    goal: `< ${goal} s`,
    actual: `${slowest.p50} s`,
    status: met ? "met" : "missed",
    note: [
      `slowest: ${slowest.command}`,
      slowest.p50 < goal ? "" : `over by ${(slowest.p50 - goal).toFixed(2)} s (${(slowest.p50 / goal).toFixed(1)}×)`,
      failed > 0 ? `${failed} runs failed` : "",
    ]
      .filter((part) => part !== "")
      .join("; "),
  }
}

/** The CLI's targets, judged: the slowest command's p50 on each database. */
export const cliVerdicts = (figures: CliTimesFigures | undefined): CliVerdict[] =>
  figures === undefined
    ? []
    : [
        verdict("PostgreSQL", cliTargets.postgres, figures.postgres),
        ...(figures.pglite ? [verdict("embedded", cliTargets.pglite, figures.pglite)] : []),
      ]
