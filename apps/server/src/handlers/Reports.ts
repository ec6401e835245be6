/** Reports: list, one with its history, approve (one or many), return. */
import { Api } from "@liandong/api"
import { approve, approveMany, returnReport } from "@liandong/engine/commands"
import { pageReports, reportAttachment, reportDetail } from "@liandong/engine/reads"
import { NotAllowed } from "@liandong/engine/runtime"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor, type WriteProblem } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"
import { requestContext } from "../Language.ts"
import { toProblem } from "../Problems.ts"

/** A Content-Disposition naming the file: an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
const contentDisposition = (kind: "inline" | "attachment", name: string) => {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_")
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

/** The reports group's handlers. */
export const reportsHandlers = HttpApiBuilder.group(Api, "reports", (handlers) =>
  handlers
    .handle("list", ({ query }) =>
      Effect.flatMap(currentActor, (actor) =>
        answer(
          pageReports(
            actor,
            {
              campaign: query.campaign,
              unit: query.unit,
              task: query.task,
              status: query.status,
              phase: query.phase,
              level: query.level,
              late: query.late === undefined ? undefined : query.late === "true",
              q: query.q,
              sort: query.sort,
            },
            { limit: query.limit, cursor: query.cursor },
          ),
          "query",
        ),
      ),
    )
    .handle("get", ({ params }) =>
      Effect.flatMap(currentActor, (actor) => answer(reportDetail(params.report, actor), "path")),
    )
    .handle("attachment", ({ params }) =>
      Effect.flatMap(currentActor, (actor) =>
        Effect.map(answer(reportAttachment(params.report, params.attachment, actor), "path"), (file) =>
          HttpServerResponse.uint8Array(file.bytes, {
            contentType: file.type,
            headers: {
              // Images open in place (the review card shows them); anything else is downloaded.
              "content-disposition": contentDisposition(
                file.type.startsWith("image/") ? "inline" : "attachment",
                file.name,
              ),
              "content-security-policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
              "cache-control": "private, max-age=3600, immutable",
              etag: `"${file.sha256}"`,
            },
          }),
        ),
      ),
    )
    .handle(
      "approve",
      ({ params, headers, payload }) =>
        Effect.flatMap(currentActor, (actor) =>
          // No body and an empty one are the same request: an approval with "同意".
          idempotent(headers["idempotency-key"], payload?.comment === undefined ? null : payload, (key) =>
            answerChange(
              Effect.map(approve(params.report, actor, { idempotencyKey: key, comment: payload?.comment }), (r) => ({
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
      "approveMany",
      ({ headers, payload }) =>
        Effect.flatMap(currentActor, (actor) =>
          idempotent(headers["idempotency-key"], payload, (key) =>
            Effect.gen(function* () {
              const ctx = yield* requestContext
              const outcomes = yield* answerChange(
                approveMany(payload.reports, actor, { idempotencyKey: key, comment: payload.comment }),
              )
              // Only a coordinator reviews: anyone else is refused as a whole, after each report's
              // refusal was recorded as a single approval's would be.
              if (actor.kind !== "principal" || actor.role !== "coordinator") {
                const refusal = outcomes.find((o) => !o.ok && o.error._tag === "NotAllowed")
                const problem = yield* toProblem(
                  refusal !== undefined && !refusal.ok
                    ? refusal.error
                    : new NotAllowed({
                        actor: actor.id,
                        action: "approve-many",
                        zh: `“${actor.id}”不是牵头单位,无权审核报送`,
                        en: `"${actor.id}" is not a coordinator and may not approve reports`,
                      }),
                  ctx,
                )
                return yield* Effect.fail(problem as WriteProblem)
              }
              const results = []
              for (const o of outcomes) {
                if (o.ok) {
                  results.push({
                    report: o.report,
                    outcome: o.replayed ? ("replayed" as const) : ("approved" as const),
                    journal: o.journal,
                    problem: null,
                  })
                  continue
                }
                const p = yield* toProblem(o.error, ctx, "body")
                results.push({
                  report: o.report,
                  outcome: "refused" as const,
                  journal: null,
                  problem: { status: p.status, title: p.title, detail: p.detail ?? null },
                })
              }
              return { results }
            }),
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
