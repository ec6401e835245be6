/** Tasks: mine, one, acknowledge, upload a file for the report, report. */
import { Api } from "@liandong/api"
import { acknowledge, submitReport, uploadAttachment } from "@liandong/engine/commands"
import { pageTasks, taskDetail } from "@liandong/engine/reads"
import { Effect, Stream } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

const refOf = (params: { campaign: string; unit: string; task: string }) =>
  `${params.campaign}/${params.unit}/${params.task}`

/** The file name sent percent-encoded in X-File-Name; left as sent when it is not valid percent-encoding. */
const fileNameOf = (header: string) => {
  try {
    return decodeURIComponent(header)
  } catch {
    return header
  }
}

/** The tasks group's handlers; `attachmentLimit` is the largest file an upload may carry. */
export const tasksHandlers = (attachmentLimit: number) =>
  HttpApiBuilder.group(Api, "tasks", (handlers) =>
    handlers
      .handle("list", ({ query }) =>
        Effect.flatMap(currentActor, (actor) =>
          answer(
            pageTasks(
              actor,
              { campaign: query.campaign, unit: query.unit, phase: query.phase, status: query.status },
              { limit: query.limit, cursor: query.cursor },
            ),
            "query",
          ),
        ),
      )
      .handle("get", ({ params }) =>
        Effect.flatMap(currentActor, (actor) =>
          answer(taskDetail(params.campaign, params.unit, params.task, actor), "path"),
        ),
      )
      .handle(
        "acknowledge",
        ({ params, headers }) =>
          Effect.flatMap(currentActor, (actor) =>
            idempotent(headers["idempotency-key"], null, (key) =>
              answerChange(acknowledge(refOf(params), actor, { idempotencyKey: key }), "path"),
            ),
          ),
        { uninterruptible: true },
      )
      .handle(
        "submitReport",
        ({ params, headers, payload }) =>
          Effect.flatMap(currentActor, (actor) =>
            idempotent(headers["idempotency-key"], payload, (key) =>
              answerChange(submitReport(refOf(params), payload, actor, { idempotencyKey: key }), "body"),
            ),
          ),
        { uninterruptible: true },
      )
      .handle("uploadAttachment", ({ params, headers, payload }) =>
        Effect.flatMap(currentActor, (actor) =>
          answerChange(
            uploadAttachment(refOf(params), fileNameOf(headers["x-file-name"]), Stream.orDie(payload), actor, {
              maxBytes: attachmentLimit,
              field: "x-file-name",
            }),
            "header",
          ),
        ),
      ),
  )
