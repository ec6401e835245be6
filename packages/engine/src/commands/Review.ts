/**
 * The coordinator reviews a submitted report: approves it (审核通过) with a comment
 * (审批意见, "同意" unless they write one), or returns it with a reason (退回) for the
 * unit to correct and resubmit. Both are in the journal event and its content.
 */
import type { ReportRow } from "@liandong/store"
import { phaseDoneKey, unitView } from "@liandong/workflow"
import { Effect, Option, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { canRead, canSeeCampaign, manages, requireManager } from "../Authz.ts"
import { journalDenial, refuseUnseen } from "../audit/Denials.ts"
import { type Db, query, queryBesideSteps, type Tx } from "../Db.ts"
import type { LoadedCampaign } from "../Definitions.ts"
import { InvalidTransition, NotFound } from "../Errors.ts"
import { messageKey } from "../FollowUps.ts"
import { decode, parseTaskRef, ReportRef } from "../Refs.ts"
import { latestReport, reportById } from "../sql/Reports.ts"
import { campaignForCommand, commandOnUnit, nowIso, onFreshCampaign } from "./Common.ts"

/** A reason for returning a report: required, at most 2000 characters. */
export const ReturnReason = Schema.String.check(
  Schema.isPattern(/\S/, { message: "退回须说明理由 / a return needs a reason" }),
  Schema.isMaxLength(2000, { message: "理由不超过 2000 字 / the reason is at most 2000 characters" }),
)

/** The comment an approval records when the reviewer writes none, as OA systems do. */
export const defaultReviewComment = "同意"

/** A comment on an approval (审批意见): optional, at most 500 characters. */
export const ReviewComment = Schema.String.check(
  Schema.isMaxLength(500, { message: "审批意见不超过 500 字 / the comment is at most 500 characters" }),
)

const findReport = (ref: string) =>
  query("reports.find", (db) => (/^\d+$/.test(ref) ? reportById(db, ref) : latestReport(db, parseTaskRef(ref))))

type Decision = "approve" | "return"

interface ReviewAsked {
  readonly decision: Decision
  readonly reportRef: string
  readonly reason: string | null
  readonly comment: string | null
  readonly actor: Actor
  readonly idempotencyKey: string | null | undefined
}

/** How a report's status reads in a refusal. */
const statusWords: Record<ReportRow["status"], { readonly zh: string; readonly en: string }> = {
  submitted: { zh: "已报送", en: "submitted" },
  approved: { zh: "已通过", en: "approved" },
  returned: { zh: "已退回", en: "returned" },
}

/**
 * The review as a command on the report's unit. The unit's machine, locked, names the task's
 * report awaiting review (the one named, if any): the review is a row of the step, written
 * with it. When it shows none, `now` tells how the report stands (reviewed already, perhaps
 * while this waited for the machine), and nothing is written.
 */
const reviewOnUnit = <E>(
  asked: ReviewAsked,
  loaded: LoadedCampaign,
  where: { readonly unit: string; readonly task: string; readonly report?: string },
  now: (tx: Tx) => Effect.Effect<ReportRow | undefined, E, Db>,
) =>
  Effect.gen(function* () {
    const { decision, reportRef, reason, comment, actor } = asked
    const { unit, task } = where
    const at = yield* nowIso
    // An approval may finish the unit's phase, whose count goes to the campaign's machine.
    const phase = loaded.definition.phases.find((p) => p.tasks.some((t) => t.key === task))
    return yield* commandOnUnit({
      loaded,
      unit,
      at,
      actor,
      idempotencyKey: asked.idempotencyKey,
      ...(decision === "approve" && phase !== undefined
        ? { countsTo: messageKey(loaded.row.id, phaseDoneKey(unit, phase.key)) }
        : {}),
      request: { command: decision, ref: reportRef, reason, ...(comment === null ? {} : { comment }) },
      prepare: (tx, when, machine) =>
        Effect.gen(function* () {
          const status = decision === "approve" ? ("approved" as const) : ("returned" as const)
          const shown = unitView(loaded.definition, unit, machine.snapshot).tasks.find((t) => t.task === task)
          const report = shown?.status === "submitted" ? shown.report : null
          if (report === null || (where.report !== undefined && report !== where.report)) {
            const stands = yield* now(tx)
            if (stands === undefined) return yield* new NotFound({ what: "report", ref: reportRef })
            const words = statusWords[stands.status]
            return yield* new InvalidTransition({
              state: stands.status,
              event: `task.${decision}`,
              accepts: [],
              zh: `报送 ${stands.id} 状态为“${words.zh}”,不能再${decision === "approve" ? "审核通过" : "退回"}`,
              en: `report ${stands.id} is ${words.en}; it cannot be ${decision === "approve" ? "approved" : "returned"} again`,
            })
          }
          // Written with the step, which fails unless the report still awaits its review.
          tx.steps.rows.reviews.push({ id: report, status, by: actor.id, at: when, reason, comment })
          const about = { task, report, by: actor.id, at: when }
          return {
            event:
              decision === "approve"
                ? { type: "task.approve" as const, ...about, comment: comment ?? defaultReviewComment }
                : { type: "task.return" as const, ...about, reason: reason ?? "" },
            cause: {
              actor,
              cause: "command",
              idempotencyKey: asked.idempotencyKey ?? null,
              content: {
                review: {
                  report,
                  decision: status,
                  by: actor.id,
                  reason,
                  ...(comment === null ? {} : { comment }),
                },
              },
            },
            answer: report,
          }
        }),
      answer: (report) => (journal: number) => ({
        report,
        task: `${loaded.row.id}/${unit}/${task}`,
        status: decision === "approve" ? "approved" : "returned",
        journal,
      }),
    })
  })

/** Whether the actor may review reports of `unit` in the campaign. */
const mayReview = (actor: Actor, loaded: LoadedCampaign, unit: string) =>
  canSeeCampaign(actor, loaded.definition) &&
  canRead(actor, loaded.definition, unit) &&
  manages(actor, loaded.definition)

/**
 * A task's reference names the report's campaign and unit: a reviewer who may review there
 * needs no look-up before the command: the unit's machine, locked, names the report awaiting
 * review.
 * Nothing when anything is refused or not found: the look-up's way then decides, records and
 * answers the refusal as for any reference (this way wrote nothing).
 */
const reviewByTask = (asked: ReviewAsked) => {
  const task = parseTaskRef(asked.reportRef)
  return Effect.gen(function* () {
    const loaded = yield* campaignForCommand(task.campaign, (copy) => mayReview(asked.actor, copy, task.unit))
    if (!mayReview(asked.actor, loaded, task.unit)) return Option.none()
    const outcome = yield* reviewOnUnit(asked, loaded, { unit: task.unit, task: task.task }, (tx) =>
      queryBesideSteps("reports.latest", (db) => latestReport(db, task), tx),
    )
    return Option.some(outcome)
  }).pipe(Effect.catchTag("NotFound", () => Effect.succeed(Option.none())))
}

const review = (
  decision: Decision,
  ref: unknown,
  reason: string | null,
  comment: string | null,
  actor: Actor,
  options: { idempotencyKey?: string | null; action?: string },
) =>
  onFreshCampaign(
    Effect.gen(function* () {
      // The action a refusal is recorded under: a bulk approval's are its own.
      const action = options.action ?? decision
      const reportRef = yield* decode(ReportRef, ref)
      const asked: ReviewAsked = { decision, reportRef, reason, comment, actor, idempotencyKey: options.idempotencyKey }
      if (!/^\d+$/.test(reportRef)) {
        const byTask = yield* reviewByTask(asked)
        if (Option.isSome(byTask)) return { ...byTask.value.result, replayed: byTask.value.replayed }
      }
      const report = yield* findReport(reportRef)
      // Made only when refused: an error records its stack, which costs more than the command.
      const notFound = () => new NotFound({ what: "report", ref: reportRef })
      // A missing report and one in a campaign the caller takes no part in are refused alike.
      if (report === undefined) return yield* refuseUnseen(null, actor, action, reportRef, notFound())
      const loaded = yield* campaignForCommand(report.campaign_id, (copy) => mayReview(actor, copy, report.unit_key))
      if (!canSeeCampaign(actor, loaded.definition))
        return yield* refuseUnseen(report.campaign_id, actor, action, reportRef, notFound())
      const denied = journalDenial(report.campaign_id, actor, action, reportRef)
      if (!canRead(actor, loaded.definition, report.unit_key)) return yield* denied(Effect.fail(notFound()))
      yield* denied(requireManager(actor, loaded.definition, action))
      const outcome = yield* reviewOnUnit(
        asked,
        loaded,
        { unit: report.unit_key, task: report.task_key, report: String(report.id) },
        (tx) => queryBesideSteps("reports.byId", (db) => reportById(db, report.id), tx),
      )
      return { ...outcome.result, replayed: outcome.replayed }
    }),
  )

/** Approves a submitted report with a comment ("同意" when none or only blanks are given). */
export const approve = (
  ref: unknown,
  actor: Actor,
  options: { idempotencyKey?: string | null; comment?: unknown; action?: string } = {},
) =>
  Effect.flatMap(decode(Schema.UndefinedOr(Schema.NullOr(ReviewComment)), options.comment), (text) =>
    review("approve", ref, null, text?.trim() || defaultReviewComment, actor, options),
  )

/** Returns a submitted report to its unit with a reason. */
export const returnReport = (
  ref: unknown,
  reason: unknown,
  actor: Actor,
  options: { idempotencyKey?: string | null } = {},
) => Effect.flatMap(decode(ReturnReason, reason), (text) => review("return", ref, text.trim(), null, actor, options))

/** The most reports one bulk approval names. */
export const maxBulkApprove = 200

/** One report's outcome in a bulk approval: its answer, or the failure that refused it. */
export type BulkOutcome<E> =
  | { readonly report: string; readonly ok: true; readonly journal: number; readonly replayed: boolean }
  | { readonly report: string; readonly ok: false; readonly error: E }

/**
 * Approves several reports with one comment, each by its own command (the group commit
 * batches them), so each is authorized, journaled and refused on its own: partial
 * success, never half of one report. A key `k` becomes `k:<report>` for each report.
 */
export const approveMany = (
  refs: ReadonlyArray<string>,
  actor: Actor,
  options: { idempotencyKey?: string | null; comment?: unknown } = {},
) =>
  Effect.flatMap(decode(Schema.UndefinedOr(Schema.NullOr(ReviewComment)), options.comment), (comment) =>
    Effect.forEach(
      [...new Set(refs)],
      (ref) =>
        Effect.map(
          Effect.result(
            approve(ref, actor, {
              idempotencyKey: options.idempotencyKey == null ? null : `${options.idempotencyKey}:${ref}`,
              comment,
              action: "approve-many",
            }),
          ),
          (result) =>
            result._tag === "Success"
              ? { report: ref, ok: true as const, journal: result.success.journal, replayed: result.success.replayed }
              : { report: ref, ok: false as const, error: result.failure },
        ),
      { concurrency: 16 },
    ),
  )
