/** The coordinator starts a campaign, or closes an open phase early. */
import type { MachineEvent } from "@liandong/workflow"
import { Effect, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { canSeeCampaign, requireManager } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotFound } from "../Errors.ts"
import { journaled, journalPosition } from "../Journal.ts"
import { decode } from "../Refs.ts"
import { applyCommand, nowIso, onFreshCampaign } from "./Common.ts"

const CampaignId = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "活动标识格式不正确 / not a campaign key" }),
)

const loadVisible = (campaign: unknown, actor: Actor, action: string) =>
  Effect.gen(function* () {
    const id = yield* decode(CampaignId, campaign)
    const notFound = new NotFound({ what: "campaign", ref: id })
    // A campaign that does not exist and one the caller takes no part in are refused and recorded alike.
    const loaded = yield* loadCampaign(id).pipe(
      Effect.catchTag("NotFound", () => refuseUnseen(null, actor, action, id, notFound)),
    )
    if (!canSeeCampaign(actor, loaded.definition)) return yield* refuseUnseen(id, actor, action, id, notFound)
    return loaded
  })

const applyToCampaign = (campaign: unknown, actor: Actor, action: string, event: (at: string) => MachineEvent) =>
  onFreshCampaign(
    Effect.gen(function* () {
      const loaded = yield* loadVisible(campaign, actor, action)
      yield* requireManager(actor, loaded.definition, action).pipe(
        journalDenial(loaded.row.id, actor, action, loaded.row.id),
      )
      const at = yield* nowIso
      return yield* journaled(action, (tx) =>
        Effect.gen(function* () {
          const { step } = yield* applyCommand(tx, {
            loaded,
            unit: null,
            at,
            prepare: (_, when) =>
              Effect.succeed({ event: event(when), cause: { actor, cause: "command" }, answer: null }),
          })
          return { campaign: loaded.row.id, state: step.to, journal: yield* journalPosition(tx, loaded.row.id) }
        }),
      )
    }),
  )

/** Starts a deployed campaign: its phases' timers are scheduled. */
export const startCampaign = (campaign: unknown, actor: Actor) =>
  applyToCampaign(campaign, actor, "start", (at) => ({ type: "campaign.start", by: actor.id, at }))

/** Closes an open phase now, whatever its gate says. */
export const closePhase = (campaign: unknown, phase: unknown, actor: Actor) =>
  Effect.flatMap(decode(CampaignId, phase), (phaseKey) =>
    applyToCampaign(campaign, actor, "close-phase", (at) => ({
      type: "phase.force-close",
      phase: phaseKey,
      by: actor.id,
      at,
    })),
  )
