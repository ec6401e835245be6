/** Runs reporter processes (reporter.ts) and gathers every answer they received. */
import { spawn } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Answer, Plan } from "./steps.ts"

const script = fileURLToPath(new URL("./reporter.ts", import.meta.url))

/** Runs one reporter process to the end; rejects if it exits with an error. */
export const runReporter = async (plan: Plan): Promise<Answer[]> => {
  const file = join(await mkdtemp(join(tmpdir(), "liandong-reporter-")), "plan.json")
  await writeFile(file, JSON.stringify(plan))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, file], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text
    })
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text
    })
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      if (code !== 0) reject(new Error(`reporter exited with ${code ?? signal}: ${stderr.slice(-2000)}`))
      else
        resolve(
          stdout
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as Answer),
        )
    })
  })
}

/** Runs several reporter processes at once; all their answers. */
export const runReporters = async (plans: ReadonlyArray<Plan>): Promise<Answer[]> =>
  (await Promise.all(plans.map(runReporter))).flat()

/** Deals stories round-robin into `n` plans. */
export const dealStories = <S>(stories: ReadonlyArray<S>, n: number): S[][] =>
  Array.from({ length: n }, (_, i) => stories.filter((_, j) => j % n === i))
