/**
 * A reporter process: units and their coordinator sending commands through the engine, as
 * the API would, from a process of its own. `node reporter.ts plan.json` runs the plan's
 * stories side by side (each story's steps in order) and prints one JSON line per command
 * sent: how it ended, and when the answer came.
 */
import { readFile } from "node:fs/promises"
import { acknowledge, approve, returnReport, submitReport } from "@liandong/engine"
import { type Engine, type EngineOptions, openEngine, type Outcome } from "./engine.ts"

/** One command of a story. */
export interface Step {
  /** Names the command in the outcomes. */
  readonly id: string
  readonly command: "ack" | "report" | "approve" | "return"
  readonly principal: string
  /** `<campaign>/<unit>/<task>` */
  readonly ref: string
  /** An idempotency key. */
  readonly key?: string
  readonly body?: unknown
  readonly reason?: string
  /** Sent this many times (default once). */
  readonly copies?: number
  /** The copies go at once instead of one after another. */
  readonly together?: boolean
  /** Not sent before this instant (epoch ms). */
  readonly notBefore?: number
  /** Sent again every 100 ms while refused, until this instant (epoch ms): a client waiting for its task to open. */
  readonly retryUntil?: number
  /** The campaign time it is sent at, instead of the plan's. */
  readonly now?: string
}

/** What a reporter process runs. */
export interface Plan {
  readonly engine: EngineOptions
  /** Stories in flight at once. */
  readonly concurrency: number
  readonly stories: ReadonlyArray<ReadonlyArray<Step>>
}

/** One answer a reporter received. */
export type Answer = Outcome & {
  readonly id: string
  readonly copy: number
  readonly step: Step
  /** when the answer came (epoch ms) */
  readonly answeredAt: number
}

const send = async (engine: Engine, step: Step): Promise<Outcome> => {
  const actor = await engine.actor(step.principal)
  const options = { idempotencyKey: step.key ?? null }
  switch (step.command) {
    case "ack":
      return engine.attempt(acknowledge(step.ref, actor, options))
    case "report":
      return engine.attempt(submitReport(step.ref, step.body, actor, options))
    case "approve":
      return engine.attempt(approve(step.ref, actor, options))
    case "return":
      return engine.attempt(returnReport(step.ref, step.reason, actor, options))
  }
}

const runStep = async (engineAt: (now: string | undefined) => Promise<Engine>, step: Step) => {
  const engine = await engineAt(step.now)
  const wait = (step.notBefore ?? 0) - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  const copy = async (n: number) => {
    const outcome = await send(engine, step).catch(
      (error: unknown): Outcome => ({ ok: false, tag: "Defect", en: String(error) }),
    )
    const answer: Answer = { ...outcome, id: step.id, copy: n, step, answeredAt: Date.now() }
    process.stdout.write(`${JSON.stringify(answer)}\n`)
    return outcome.ok
  }
  if (step.retryUntil !== undefined) {
    for (let n = 0; !(await copy(n)) && Date.now() < step.retryUntil; n++)
      await new Promise((resolve) => setTimeout(resolve, 100))
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
