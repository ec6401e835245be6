/** Reports: list, one with its history, approve, return. */
import { Api } from "@liandong/api"
import { approve, returnReport } from "@liandong/engine/commands"
import { pageReports, reportAttachment, reportDetail } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, answerChange, currentActor } from "../Handle.ts"
import { idempotent } from "../Idempotent.ts"

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
