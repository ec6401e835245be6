/** Reports: list, one with its history, approve, return. */
import { Api } from "@liandong/api"
import { approve, returnReport } from "@liandong/engine/commands"
import { pageReports, reportDetail } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

/** The reports group's handlers. */
export const reportsHandlers = HttpApiBuilder.group(Api, "reports", (handlers) =>
  handlers
    .handle("list", ({ query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(
          pageReports(
            actor,
            { campaign: query.campaign, unit: query.unit, task: query.task, status: query.status },
            { limit: query.limit, cursor: query.cursor },
          ),
          "query",
        ),
      ),
    )
    .handle("get", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(reportDetail(params.report, actor), "path")),
    )
    .handle(
      "approve",
      ({ params, headers }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], null, (key) =>
            answerChange(
              Effect.map(approve(params.report, actor, { idempotencyKey: key }), (r) => ({
                ...r,
                status: r.status as "approved",
              })),
              "path",
            ),
          ),
        ),
      { uninterruptible: true },
    )
    .handle(
      "return",
      ({ params, headers, payload }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, (key) =>
            answerChange(
              Effect.map(returnReport(params.report, payload.reason, actor, { idempotencyKey: key }), (r) => ({
                ...r,
                status: r.status as "returned",
              })),
              "body",
            ),
          ),
        ),
      { uninterruptible: true },
    ),
)
