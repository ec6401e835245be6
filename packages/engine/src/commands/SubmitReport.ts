/**
 * A unit reports on a task (报送): figures and narrative are validated against
 * the task's definition, stored as exact numerics, and the machine moves to
 * submitted — all in one transaction, so a rejected submission leaves no trace.
 * The files it names (uploads for the same task) go into the journal's content by
 * hash, name, type and size; a resubmission that names none keeps the earlier ones.
 */
import { validateReport } from "@liandong/workflow"
import { Effect, Result, Schema } from "effect"
import type { Actor } from "../Actor.ts"
import { queryBesideSteps, type Tx } from "../Db.ts"
import { InvalidInput } from "../Errors.ts"
import type { AttachmentContent } from "../JournalContent.ts"
import { decode, type TaskAddress } from "../Refs.ts"
import { selectAttachments } from "../sql/Attachments.ts"
import type { KeptFile, ReportSlot } from "../sql/Machines.ts"
import { takeReportSlot } from "../sql/Reports.ts"
import { attachmentsPerReport } from "./Attach.ts"
import { commandOnUnit, nowIso, onFreshCampaign, requireOwnTask, resolveTask } from "./Common.ts"

/** The body of a report as it arrives from the CLI or the API. */
export const ReportInput = Schema.Struct({
  figures: Schema.optional(Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite]))),
  narrative: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  /** the uploads it carries, by id, in order; absent: a resubmission keeps the earlier report's */
  attachments: Schema.optional(
    Schema.Array(
      Schema.String.check(
        Schema.isPattern(/^[1-9][0-9]{0,17}$/, {
          message: "附件编号须为正整数 / an attachment id is a positive integer",
        }),
      ),
    ).check(
      Schema.isMaxLength(attachmentsPerReport, {
        message: `一份报送最多附 ${attachmentsPerReport} 个文件 / at most ${attachmentsPerReport} files a report`,
      }),
    ),
  ),
})
export type ReportInput = typeof ReportInput.Type

/**
 * Checks the uploads a report names: each an upload for this very task, named once; they are
 * answered in the order named. (When it names none, the report keeps the previous one's files.)
 */
const checkNamed = (tx: Tx, address: TaskAddress, named: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const found = new Map(
      (yield* queryBesideSteps("attachments.select", (db) => selectAttachments(db, named), tx)).map((a) => [
        String(a.id),
        a,
      ]),
    )
    const problems = named.flatMap((id, i) => {
      const upload = found.get(id)
      const path = `attachments.${i}`
      if (named.indexOf(id) !== i) return [{ path, zh: `附件 ${id} 重复`, en: `attachment ${id} is named twice` }]
      if (
        upload === undefined ||
        upload.campaign_id !== address.campaign ||
        upload.unit_key !== address.unit ||
        upload.task_key !== address.task
      )
        return [{ path, zh: `本任务没有编号为 ${id} 的附件`, en: `this task has no attachment ${id}` }]
      return []
    })
    if (problems.length > 0) return yield* new InvalidInput({ problems })
    return named.map((id) => found.get(id) as NonNullable<ReturnType<typeof found.get>>)
  })

/**
 * The report's rows at its place, written with its step: the place the machine's lock took, or
 * one taken now (a second command on the machine in one batch, or a lock that was waited for).
 */
const reportAtSlot = (
  tx: Tx,
  task: TaskAddress,
  taken: ReportSlot | undefined,
  report: { readonly figures: Readonly<Record<string, string>>; readonly narrative: Readonly<Record<string, string>> },
  uploads: ReadonlyArray<KeptFile> | undefined,
  by: string,
  at: string,
) =>
  Effect.map(
    taken === undefined
      ? queryBesideSteps("reports.slot", (db) => takeReportSlot(db, task), tx)
      : Effect.succeed(taken),
    (slot) => {
      // A resubmission naming no files keeps the latest report's.
      const files = uploads ?? slot.kept
      tx.steps.rows.reports.push({
        id: slot.id,
        campaign_id: task.campaign,
        unit_key: task.unit,
        task_key: task.task,
        attempt: slot.attempt,
        narrative: report.narrative,
        submitted_by: by,
        submitted_at: at,
        figures: Object.entries(report.figures),
        files: files.map((f) => f.id),
      })
      return { id: slot.id, attempt: slot.attempt, files }
    },
  )

/** Submits (or resubmits after a return) a report for `<campaign>/<unit>/<task>`. */
export const submitReport = (
  ref: unknown,
  body: unknown,
  actor: Actor,
  options: { idempotencyKey?: string | null } = {},
) =>
  onFreshCampaign(
    Effect.gen(function* () {
      const { address, loaded, task } = yield* resolveTask(ref, actor, "report")
      yield* requireOwnTask(actor, address, "report")
      const input = yield* decode(ReportInput, body)
      const validated = validateReport(task, { figures: input.figures ?? {}, narrative: input.narrative ?? {} })
      if (Result.isFailure(validated)) return yield* new InvalidInput({ problems: validated.failure })
      const report = validated.success
      const at = yield* nowIso
      const outcome = yield* commandOnUnit({
        loaded,
        unit: address.unit,
        at,
        actor,
        idempotencyKey: options.idempotencyKey,
        request: { command: "report", ref, body },
        reportOf: address.task,
        prepare: (tx, when, _, slot) =>
          Effect.gen(function* () {
            const named = input.attachments
            const uploads = named === undefined ? undefined : yield* checkNamed(tx, address, named)
            const { id, attempt, files } = yield* reportAtSlot(tx, address, slot, report, uploads, actor.id, when)
            const attachments: ReadonlyArray<AttachmentContent> = files.map((f) => ({
              sha256: f.sha256,
              name: f.name,
              type: f.type,
              size: Number(f.size),
            }))
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
                    ...(attachments.length === 0 ? {} : { attachments }),
                  },
                },
              },
              answer: { id, attempt },
            }
          }),
        answer:
          ({ id: inserted, attempt }) =>
          (journal: number) => ({
            task: `${address.campaign}/${address.unit}/${address.task}`,
            report: String(inserted),
            attempt,
            status: "submitted",
            journal,
          }),
      })
      return { ...outcome.result, replayed: outcome.replayed }
    }),
  )
