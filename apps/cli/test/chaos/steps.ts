/** Commands as the chaos tests send them, and the answers they get. */
import { acknowledge, approve, returnReport, submitReport } from "@liandong/engine/commands"
import type { Engine, EngineOptions, Outcome } from "./engine.ts"

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
  /** Sent again while refused (after 100 ms, 200 ms … at most 1 s), until this instant (epoch ms): a client waiting for its task to open. */
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

/** Sends one step's command through `engine` (its principal acting); how it ended. */
export const sendStep = async (engine: Engine, step: Step): Promise<Outcome> => {
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
