/**
 * A unit reports on a task (报送): figures and narrative are validated against
 * the task's definition, stored as exact numerics, and the machine moves to
 * submitted — all in one transaction, so a rejected submission leaves no trace.
 */
import { validateReport } from "@liandong/workflow"
import { Effect, Result, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { InvalidInput } from "../Errors.ts"
import { groupCommitted } from "../GroupCommit.ts"
import { decode } from "../Refs.ts"
import { insertFigures, insertReport, lastAttempt } from "../sql/Reports.ts"
import { applyCommand, machineOrder, nowIso, requireOwnTask, resolveTask } from "./Common.ts"

/** The body of a report as it arrives from the CLI or the API. */
export const ReportInput = Schema.Struct({
  figures: Schema.optional(Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite]))),
  narrative: Schema.optional(Schema.Record(Schema.String, Schema.String)),
})
export type ReportInput = typeof ReportInput.Type

/** Submits (or resubmits after a return) a report for `<campaign>/<unit>/<task>`. */
export const submitReport = (
  ref: unknown,
  body: unknown,
  actor: Actor,
  options: { idempotencyKey?: string | null } = {},
) =>
  Effect.gen(function* () {
    const { address, loaded, task } = yield* resolveTask(ref, actor, "report")
    yield* requireOwnTask(actor, address, "report")
    const input = yield* decode(ReportInput, body)
    const validated = validateReport(task, { figures: input.figures ?? {}, narrative: input.narrative ?? {} })
    if (Result.isFailure(validated)) return yield* new InvalidInput({ problems: validated.failure })
    const report = validated.success
    const at = yield* nowIso
    const outcome = yield* groupCommitted({
      order: machineOrder(loaded.row.id, address.unit),
      campaignId: loaded.row.id,
      actor,
      idempotencyKey: options.idempotencyKey,
      request: { command: "report", ref, body },
      run: (tx) =>
        Effect.gen(function* () {
          const { answer: submitted } = yield* applyCommand(tx, {
            loaded,
            unit: address.unit,
            at,
            prepare: (_, when) =>
              Effect.gen(function* () {
                const attempt = (yield* query("reports.lastAttempt", (db) => lastAttempt(db, address), tx)) + 1
                const id = yield* query(
                  "reports.insert",
                  (db) =>
                    insertReport(db, { task: address, attempt, narrative: report.narrative, by: actor.id, at: when }),
                  tx,
                )
                const figures = Object.entries(report.figures)
                if (figures.length > 0) yield* query("reports.figures", (db) => insertFigures(db, id, figures), tx)
                return {
                  event: { type: "task.submit", task: address.task, report: String(id), by: actor.id, at: when },
                  cause: {
                    actor,
                    cause: "command",
                    idempotencyKey: options.idempotencyKey ?? null,
                    // The report itself goes into the chain: a stored figure edited later no longer matches it.
                    content: {
                      report: {
                        id: String(id),
                        unit: address.unit,
                        task: address.task,
                        attempt,
                        submittedBy: actor.id,
                        figures: report.figures,
                        narrative: report.narrative,
                      },
                    },
                  },
                  answer: { id, attempt },
                }
              }),
          })
          const { id: inserted, attempt } = submitted
          return (journal: number) => ({
            task: `${address.campaign}/${address.unit}/${address.task}`,
            report: String(inserted),
            attempt,
            status: "submitted",
            journal,
          })
        }),
    })
    return { ...outcome.result, replayed: outcome.replayed }
  })
