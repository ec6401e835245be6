/**
 * A reporter process: units and their coordinator sending commands through the engine, as
 * the API would, from a process of its own. `node reporter.ts plan.json` runs the plan's
 * stories side by side (each story's steps in order) and prints one JSON line per command
 * sent: how it ended, and when the answer came.
 */
import { readFile } from "node:fs/promises"
import { type Engine, type Outcome, openEngine } from "./engine.ts"
import { type Answer, type Plan, type Step, sendStep } from "./steps.ts"

const runStep = async (engineAt: (now: string | undefined) => Promise<Engine>, step: Step) => {
  const engine = await engineAt(step.now)
  const wait = (step.notBefore ?? 0) - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  const copy = async (n: number) => {
    // A failure outside the command's own answer (its principal's look-up while the database is
    // away) keeps its tag: only what has none is a defect.
    const outcome = await sendStep(engine, step).catch((error: unknown): Outcome => {
      const tagged = error as { readonly _tag?: unknown; readonly en?: unknown }
      return {
        ok: false,
        tag: typeof tagged?._tag === "string" ? tagged._tag : "Defect",
        en: typeof tagged?.en === "string" ? tagged.en : String(error),
      }
    })
    const answer: Answer = { ...outcome, id: step.id, copy: n, step, answeredAt: Date.now() }
    process.stdout.write(`${JSON.stringify(answer)}\n`)
    return outcome.ok
  }
  if (step.retryUntil !== undefined) {
    for (let n = 0; !(await copy(n)) && Date.now() < step.retryUntil; n++)
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * (n + 1))))
    return
  }
  const copies = Array.from({ length: step.copies ?? 1 }, (_, n) => n)
  if (step.together) await Promise.all(copies.map(copy))
  else for (const n of copies) await copy(n)
}

const main = async () => {
  const plan = JSON.parse(await readFile(process.argv[2] as string, "utf8")) as Plan
  // One engine per campaign time the plan's steps use (a runtime has one clock).
  const engines = new Map<string, Promise<Engine>>()
  const engineAt = (now: string | undefined) => {
    const key = now ?? plan.engine.now ?? ""
    let engine = engines.get(key)
    if (engine === undefined) {
      engine = openEngine({
        ...plan.engine,
        now: key === "" ? undefined : key,
        poolSize: Math.min(plan.concurrency, 8),
      })
      engines.set(key, engine)
    }
    return engine
  }
  try {
    const queue = [...plan.stories]
    await Promise.all(
      Array.from({ length: plan.concurrency }, async () => {
        for (let story = queue.shift(); story !== undefined; story = queue.shift())
          for (const step of story) await runStep(engineAt, step)
      }),
    )
  } finally {
    for (const engine of engines.values()) await (await engine).close()
  }
}

await main()
