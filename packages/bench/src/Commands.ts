/**
 * The script's actions as engine commands, run as the unit's liaison or the
 * coordinator, each with an idempotency key as a real client sends one; every
 * call is timed from issue to commit.
 */
import { acknowledge, approve, returnReport, submitReport } from "@liandong/engine/commands"
import type { Actor } from "@liandong/engine/runtime"
import { Effect } from "effect"
import type { Action } from "./Script.ts"

/** The principals of the benchmark: the coordinator's and one liaison per unit. */
export interface Principals {
  readonly lead: Actor
  readonly liaison: (unit: string) => Actor
}

/** The engine command for one action. */
export const commandFor = (campaign: string, action: Action, principals: Principals) => {
  const ref = `${campaign}/${action.unit}/${action.task}`
  const options = { idempotencyKey: `${action.kind}:${action.unit}:${action.task}:${action.at}` }
  switch (action.kind) {
    case "ack":
      return Effect.asVoid(acknowledge(ref, principals.liaison(action.unit), options))
    case "report":
      return Effect.asVoid(
        submitReport(
          ref,
          { figures: action.figures, narrative: action.narrative },
          principals.liaison(action.unit),
          options,
        ),
      )
    case "approve":
      return Effect.asVoid(approve(ref, principals.lead, options))
    case "return":
      return Effect.asVoid(returnReport(ref, action.reason, principals.lead, options))
  }
}
