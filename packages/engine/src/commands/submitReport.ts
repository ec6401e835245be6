/**
 * A unit reports on a task (报送): figures and narrative are validated against
 * the task's definition, stored as exact numerics, and the machine moves to
 * submitted — all in one transaction, so a rejected submission leaves no trace.
 */
import { validateReport } from "@liandong/workflow"
import { Effect, Result, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { query, transaction } from "../Db.ts"
import { lockForCommand } from "../DueFirst.ts"
import { InvalidInput } from "../Errors.ts"
import { once } from "../Idempotency.ts"
import { journalPosition } from "../Journal.ts"
import { decode } from "../Refs.ts"
import { applyToMachine } from "../Step.ts"
import { nowIso, requireOwnTask, resolveTask } from "./common.ts"

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
    const outcome = yield* transaction("report", (tx) =>
      once(
        tx,
        actor,
        options.idempotencyKey,
        { command: "report", ref, body },
        Effect.gen(function* () {
          const { row, at: when } = yield* lockForCommand(tx, loaded, address.unit, at)
          const previous = yield* query(
            "reports.lastAttempt",
            (db) =>
              db
                .selectFrom("reports")
                .select((eb) => eb.fn.max("attempt").as("attempt"))
                .where("campaign_id", "=", address.campaign)
                .where("unit_key", "=", address.unit)
                .where("task_key", "=", address.task)
                .executeTakeFirst(),
            tx,
          )
          const attempt = Number(previous?.attempt ?? 0) + 1
          const inserted = yield* query(
            "reports.insert",
            (db) =>
              db
                .insertInto("reports")
                .values({
                  campaign_id: address.campaign,
                  unit_key: address.unit,
                  task_key: address.task,
                  attempt,
                  status: "submitted",
                  narrative: JSON.stringify(report.narrative),
                  submitted_by: actor.id,
                  submitted_at: when,
                })
                .returning("id")
                .executeTakeFirstOrThrow(),
            tx,
          )
          const figures = Object.entries(report.figures)
          if (figures.length > 0) {
            yield* query(
              "reports.figures",
              (db) =>
                db
                  .insertInto("report_figures")
                  .values(figures.map(([key, value]) => ({ report_id: inserted.id, figure_key: key, value })))
                  .execute(),
              tx,
            )
          }
          yield* applyToMachine(
            tx,
            loaded,
            row,
            { type: "task.submit", task: address.task, report: String(inserted.id), by: actor.id, at: when } as {
              type: string
              at: string
            },
            {
              actor,
              cause: "command",
              idempotencyKey: options.idempotencyKey ?? null,
              // The report itself goes into the chain: a stored figure edited later no longer matches it.
              content: {
                report: {
                  id: String(inserted.id),
                  unit: address.unit,
                  task: address.task,
                  attempt,
                  submittedBy: actor.id,
                  figures: report.figures,
                  narrative: report.narrative,
                },
              },
            },
          )
          return {
            task: `${address.campaign}/${address.unit}/${address.task}`,
            report: String(inserted.id),
            attempt,
            status: "submitted",
            journal: yield* journalPosition(tx, loaded.row.id),
          }
        }),
      ),
    )
    return { ...outcome.result, replayed: outcome.replayed }
  })
