/**
 * 催办: the coordinator (or a unit above its subordinates) nudges units by hand — named ones,
 * or every unit that has not acknowledged, not reported, or not reported again after a
 * return, in a phase or a task. One journal row per nudge in the campaign's chain (who,
 * whom, the selector, the message; not a machine event), and in the same transaction a
 * notice of kind `nudge` per unit, which the outbox takes to each of the unit's people.
 */
import { randomUUID } from "node:crypto"
import { Effect, Schema } from "effect"
import { type Actor, actorUnit } from "../Actor.ts"
import { canSeeCampaign, nudgeableUnits } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import { query } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { CampaignState, NotAllowed, NotFound } from "../Errors.ts"
import { groupCommitted } from "../GroupCommit.ts"
import { appendJournal } from "../Journal.ts"
import { decode } from "../Refs.ts"
import { campaignMachine } from "../sql/Machines.ts"
import { insertNotices, selectUnitsByTaskStatus } from "../sql/Notices.ts"
import { machineOrder } from "./Common.ts"

/** The most characters a nudge's message holds. */
export const nudgeMessageMax = 500

/** The most units one nudge names. */
export const nudgeUnitsMax = 1000

const Key = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: "须为小写字母、数字和连字符组成的标识 / must be lower-case letters, digits and dashes",
  }),
)

/** Which units a nudge reaches when it names none: the states their tasks are in. */
export const NudgeWhich = Schema.Literals(["unacknowledged", "unreported", "returned"])
export type NudgeWhich = typeof NudgeWhich.Type

/** A nudge as the CLI and the API send it: named units, or `which`; a phase or task; a message. */
export const NudgeInput = Schema.Struct({
  phase: Schema.optional(Key),
  task: Schema.optional(Key),
  units: Schema.optional(
    Schema.Array(Key).check(
      Schema.isMinLength(1, { message: "至少指定一个单位 / name at least one unit" }),
      Schema.isMaxLength(nudgeUnitsMax, {
        message: `一次最多催办 ${nudgeUnitsMax} 个单位 / at most ${nudgeUnitsMax} units at once`,
      }),
    ),
  ),
  which: Schema.optional(NudgeWhich),
  message: Schema.optional(
    Schema.String.check(
      Schema.isMaxLength(nudgeMessageMax, {
        message: `留言不超过 ${nudgeMessageMax} 字 / the message is at most ${nudgeMessageMax} characters`,
      }),
    ),
  ),
}).check(
  Schema.makeFilter((input) =>
    (input.units === undefined) === (input.which === undefined)
      ? {
          path: ["which"],
          issue:
            "须指定单位(units)或范围(which:unacknowledged、unreported、returned)之一 / name the units, or which units (unacknowledged, unreported, returned), not both",
        }
      : undefined,
  ),
)
export type NudgeInput = typeof NudgeInput.Type

const CampaignId = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: "活动标识格式不正确 / not a campaign key" }),
)

const statusesOf: Record<NudgeWhich, ReadonlyArray<"assigned" | "acknowledged" | "returned">> = {
  unacknowledged: ["assigned"],
  unreported: ["assigned", "acknowledged"],
  returned: ["returned"],
}

const whichWords: Record<NudgeWhich, { zh: string; en: string }> = {
  unacknowledged: { zh: "未确认接收", en: "not acknowledged" },
  unreported: { zh: "未报送", en: "not reported" },
  returned: { zh: "被退回待重报", en: "returned and not reported again" },
}

/** What a nudge answers: whom it reached, and where the journal recorded it. */
export interface Nudged {
  readonly campaign: string
  readonly nudge: string
  readonly units: ReadonlyArray<string>
  readonly notices: number
  readonly journal: number
  readonly replayed: boolean
}

/** Nudges units of a campaign: those named, or those `which` selects (in a phase or task). */
export const nudge = (
  campaign: unknown,
  body: unknown,
  actor: Actor,
  options: { idempotencyKey?: string | null } = {},
) =>
  Effect.gen(function* () {
    const campaignId = yield* decode(CampaignId, campaign)
    const input = yield* decode(NudgeInput, body)
    const notFound = new NotFound({ what: "campaign", ref: campaignId })
    // A campaign that does not exist and one the caller takes no part in are refused and recorded alike.
    const loaded = yield* loadCampaign(campaignId).pipe(
      Effect.catchTag("NotFound", () => refuseUnseen(null, actor, "nudge", campaignId, notFound)),
    )
    const definition = loaded.definition
    if (!canSeeCampaign(actor, definition)) return yield* refuseUnseen(campaignId, actor, "nudge", campaignId, notFound)
    const ref = [campaignId, input.phase, input.task].filter((part) => part !== undefined).join("/")
    const denied = journalDenial(campaignId, actor, "nudge", ref)
    const scope = nudgeableUnits(actor, definition)
    if (scope !== "all" && scope.size === 0)
      return yield* denied(
        Effect.fail(
          new NotAllowed({
            actor: actor.id,
            action: "nudge",
            zh: `“${actor.id}”无权在活动“${definition.title}”中催办:只有牵头单位和上级单位(对其下级)可以催办`,
            en: `"${actor.id}" may not nudge in campaign "${campaignId}": only its coordinator, and a unit for the units below it, may`,
          }),
        ),
      )
    const phase = input.phase === undefined ? undefined : definition.phases.find((p) => p.key === input.phase)
    if (input.phase !== undefined && phase === undefined)
      return yield* denied(Effect.fail(new NotFound({ what: "phase", ref: `${campaignId}/${input.phase}` })))
    const tasks = (phase === undefined ? definition.phases : [phase]).flatMap((p) => p.tasks)
    if (input.task !== undefined && !tasks.some((t) => t.key === input.task))
      return yield* denied(Effect.fail(new NotFound({ what: "task", ref: `${campaignId}/${input.task}` })))
    const known = new Set(definition.units.map((u) => u.key))
    let units: string[]
    if (input.units !== undefined) {
      units = [...new Set(input.units)].sort()
      const unknown = units.find((u) => !known.has(u))
      if (unknown !== undefined)
        return yield* denied(Effect.fail(new NotFound({ what: "unit", ref: `${campaignId}/${unknown}` })))
      const outside = scope === "all" ? [] : units.filter((u) => !scope.has(u))
      if (outside.length > 0)
        return yield* denied(
          Effect.fail(
            new NotAllowed({
              actor: actor.id,
              action: "nudge",
              zh: `“${actor.id}”无权催办单位“${outside.join("、")}”:只能催办本单位的下级单位`,
              en: `"${actor.id}" may not nudge ${outside.map((u) => `"${u}"`).join(", ")}: only the units below its own`,
            }),
          ),
        )
    } else {
      const which = input.which ?? "unreported"
      const found = yield* query("nudge.targets", (db) =>
        selectUnitsByTaskStatus(
          db,
          campaignId,
          { phase: input.phase ?? null, task: input.task ?? null },
          statusesOf[which],
        ),
      )
      units = scope === "all" ? found : found.filter((u) => scope.has(u))
      if (units.length === 0) {
        const where = [phase?.name.zh, input.task].filter((part) => part !== undefined).join("/")
        return yield* new CampaignState({
          campaign: campaignId,
          status: loaded.row.status,
          zh: `没有需要催办的单位:${where === "" ? "" : `${where}中`}没有${whichWords[which].zh}的单位`,
          en: `nothing to nudge: no unit${input.phase === undefined ? "" : ` in phase "${input.phase}"`}${input.task === undefined ? "" : ` for task "${input.task}"`} is ${whichWords[which].en}`,
        })
      }
    }
    const message = input.message?.trim() ?? ""
    const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const selector = {
      phase: input.phase ?? null,
      task: input.task ?? null,
      ...(input.units === undefined ? { which: input.which ?? "unreported" } : { units: [...input.units] }),
    }
    const outcome = yield* groupCommitted({
      order: machineOrder(campaignId, null),
      campaignId,
      actor,
      idempotencyKey: options.idempotencyKey,
      request: { command: "nudge", campaign: campaignId, ...selector, message },
      run: (tx) =>
        Effect.gen(function* () {
          const machine = yield* query("nudge.machine", (db) => campaignMachine(db, campaignId), tx)
          if (machine === undefined) return yield* Effect.die(new Error(`campaign ${campaignId} has no machine`))
          const id = randomUUID()
          const byUnit = actorUnit(actor)
          const body = {
            nudge: id,
            phase: selector.phase,
            task: selector.task,
            which: input.which ?? null,
            message: message === "" ? null : message,
            by: actor.id,
            byUnit,
            at: now.toISOString(),
          }
          const notices = yield* query(
            "nudge.notices",
            (db) =>
              insertNotices(
                db,
                campaignId,
                units.map((unit) => ({ unit_key: unit, kind: "nudge" as const, body })),
              ),
            tx,
          )
          yield* appendJournal(tx, {
            campaignId,
            machineId: String(machine.id),
            unit: null,
            actor,
            cause: "command",
            idempotencyKey: options.idempotencyKey ?? null,
            event: {
              type: "nudge",
              nudge: id,
              units,
              selector,
              message: message === "" ? null : message,
              actorUnit: byUnit,
              at: now.toISOString(),
            },
            before: null,
            after: null,
            occurredAt: now,
          })
          // The worker fans the notices out on its next pass; woken once this commits rather than at its poll.
          tx.woken.add(campaignId)
          return (journal: number) => ({ campaign: campaignId, nudge: id, units, notices: notices.length, journal })
        }),
    })
    return { ...outcome.result, replayed: outcome.replayed } satisfies Nudged
  })
