/**
 * Plays a campaign script through the engine on a simulated calendar: at each
 * step the clock moves, the worker processes what came due, then the step's
 * principals act. Used by the demo; every command goes through the same
 * engine commands, authorization and journal as the CLI and the API.
 */
import type { CampaignScript, ScriptAction } from "@liandong/campaigns"
import {
  acknowledge,
  addPrincipal,
  approve,
  deploy,
  returnReport,
  startCampaign,
  submitReport,
} from "@liandong/engine/commands"
import { visibleCampaign } from "@liandong/engine/reads"
import { Clock, loadActor, operator } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import type { Campaign } from "@liandong/workflow"
import { Effect } from "effect"

/** The principal id that acts for a unit, and the coordinator's. */
export const unitPrincipal = (unit: string) => `${unit}.liaison`
export const coordinatorPrincipal = (campaign: Campaign) => `${campaign.coordinator}.lead`
export const auditorPrincipal = "auditor"

/** Registers a liaison for every unit, a lead for the coordinator, and an auditor. */
export const registerPrincipals = (campaign: Campaign) =>
  Effect.gen(function* () {
    for (const unit of campaign.units) {
      yield* addPrincipal(
        { id: unitPrincipal(unit.key), name: `${unit.name}联络员`, role: "unit", unit: unit.key },
        operator,
      )
    }
    yield* addPrincipal(
      { id: coordinatorPrincipal(campaign), name: "活动领导小组", role: "coordinator", unit: campaign.coordinator },
      operator,
    )
    yield* addPrincipal({ id: auditorPrincipal, name: "审计员", role: "auditor" }, operator)
  })

const perform = (campaign: Campaign, action: ScriptAction) =>
  Effect.gen(function* () {
    const ref = `${campaign.key}/${action.unit}/${action.task}`
    switch (action.kind) {
      case "ack":
        return yield* acknowledge(ref, yield* loadActor(unitPrincipal(action.unit)))
      case "report":
        return yield* submitReport(
          ref,
          { figures: action.figures ?? {}, narrative: action.narrative },
          yield* loadActor(unitPrincipal(action.unit)),
        )
      case "approve":
        return yield* approve(ref, yield* loadActor(coordinatorPrincipal(campaign)))
      case "return":
        return yield* returnReport(ref, action.reason, yield* loadActor(coordinatorPrincipal(campaign)))
    }
  })

/** Moves the clock and runs the worker until nothing is due. */
export const advanceTo = (at: string) =>
  Effect.gen(function* () {
    const clock = yield* Clock
    const instant = new Date(at)
    yield* clock.set(instant)
    return yield* runUntilIdle(instant)
  })

/** Deploys the definition, registers principals and plays the script; `onStep` sees each step done. */
export const playScript = <E, R>(
  definition: unknown,
  script: CampaignScript,
  onStep: (step: {
    at: string
    note: string | undefined
    actions: ReadonlyArray<ScriptAction>
  }) => Effect.Effect<void, E, R>,
) =>
  Effect.gen(function* () {
    const deployed = yield* deploy(definition, operator)
    const campaign = (yield* visibleCampaign(deployed.campaign, operator)).definition
    yield* registerPrincipals(campaign)
    yield* advanceTo(script.startAt)
    yield* startCampaign(campaign.key, yield* loadActor(coordinatorPrincipal(campaign)))
    yield* onStep({ at: script.startAt, note: "启动活动", actions: [] })
    for (const step of script.steps) {
      yield* advanceTo(step.at)
      for (const action of step.actions) yield* perform(campaign, action)
      yield* advanceTo(step.at)
      yield* onStep({ at: step.at, note: step.note, actions: step.actions })
    }
    yield* advanceTo(script.endAt)
    yield* onStep({ at: script.endAt, note: undefined, actions: [] })
    return campaign
  })
