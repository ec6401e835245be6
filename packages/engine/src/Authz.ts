/**
 * Authorization, shared by the CLI and the API. Rules:
 * - the operator and the campaign's coordinator manage a campaign;
 * - a unit acts only on its own tasks, and reads its own and its subordinates';
 * - an auditor reads everything and changes nothing;
 * - the coordinator nudges (催办) any unit, a unit only those below it.
 * What a caller may not read is reported as not found, never as forbidden.
 */

import { type Campaign, isAtOrBelow, listsAtOrBelow, unitAndSubordinates } from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "./Actor.ts"
import { NotAllowed } from "./Errors.ts"

/** True when the actor runs this campaign: the operator or a coordinator of its coordinating unit. */
export const manages = (actor: Actor, campaign: Campaign): boolean =>
  actor.kind === "operator" ||
  actor.kind === "system" ||
  (actor.kind === "principal" && actor.role === "coordinator" && actor.unit === campaign.coordinator)

/** The units whose tasks the actor may read in a campaign: all, or a set. */
export const readableUnits = (actor: Actor, campaign: Campaign): "all" | ReadonlySet<string> => {
  if (readsAll(actor, campaign)) return "all"
  if (actor.kind === "principal" && actor.role === "unit" && actor.unit !== null) {
    return unitAndSubordinates(campaign, actor.unit)
  }
  return new Set()
}

/** The units the actor may nudge (催办) in a campaign: all (it manages it), or those below its own unit. */
export const nudgeableUnits = (actor: Actor, campaign: Campaign): "all" | ReadonlySet<string> => {
  if (manages(actor, campaign)) return "all"
  if (actor.kind === "principal" && actor.role === "unit" && actor.unit !== null) {
    const below = new Set(unitAndSubordinates(campaign, actor.unit))
    below.delete(actor.unit)
    return below
  }
  return new Set()
}

/** Whether the actor reads every unit of the campaign. */
const readsAll = (actor: Actor, campaign: Campaign): boolean =>
  manages(actor, campaign) || (actor.kind === "principal" && actor.role === "auditor")

// `canRead` and `canSeeCampaign` run on every command: they answer as `readableUnits` would,
// without listing a province's thousands of units to ask about one.

/** True when the actor may read the unit's tasks and reports. */
export const canRead = (actor: Actor, campaign: Campaign, unit: string): boolean => {
  if (readsAll(actor, campaign)) return true
  return (
    actor.kind === "principal" &&
    actor.role === "unit" &&
    actor.unit !== null &&
    isAtOrBelow(campaign, unit, actor.unit)
  )
}

/** True when the actor may see the campaign at all: it reads one of its units at least. */
export const canSeeCampaign = (actor: Actor, campaign: Campaign): boolean => {
  if (readsAll(actor, campaign)) return true
  return (
    actor.kind === "principal" && actor.role === "unit" && actor.unit !== null && listsAtOrBelow(campaign, actor.unit)
  )
}

const denied = (actor: Actor, action: string, zh: string, en: string) =>
  Effect.fail(new NotAllowed({ actor: actor.id, action, zh, en }))

/** Fails unless the actor is the unit itself (units act only on their own tasks). */
export const requireUnitActor = (actor: Actor, unit: string, action: string) =>
  actor.kind === "principal" && actor.role === "unit" && actor.unit === unit
    ? Effect.void
    : denied(
        actor,
        action,
        `“${actor.id}”无权代单位“${unit}”办理此事项,只有该单位本身可以操作`,
        `"${actor.id}" may not act for unit "${unit}"; only the unit itself may`,
      )

/** Fails unless the actor manages the campaign. */
export const requireManager = (actor: Actor, campaign: Campaign, action: string) =>
  manages(actor, campaign)
    ? Effect.void
    : denied(
        actor,
        action,
        `“${actor.id}”不是活动“${campaign.title}”的牵头单位,无权执行此操作`,
        `"${actor.id}" does not coordinate campaign "${campaign.key}" and may not do this`,
      )
