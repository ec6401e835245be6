/** The summary in the format, level and language asked for. */
import { Api, summaryMediaTypes } from "@liandong/api"
import { summaryFor } from "@liandong/engine/reads"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { answer, currentActor } from "../Handle.ts"

/** The summary group's handler. */
export const summaryHandlers = HttpApiBuilder.group(Api, "summary", (handlers) =>
  handlers.handle("summary", ({ params, query }) =>
    Effect.flatMap(currentActor, (actor) =>
      Effect.map(
        answer(
          summaryFor(params.campaign, actor, {
            format: query.format ?? "md",
            level: query.level,
            lang: query.lang ?? "zh",
            form: query.form ?? "summary",
            brief: { issue: query.issue, name: query.name, office: query.office },
          }),
          "query",
        ),
        (summary) => {
          const format = summary.format
          const headers = {
            "x-liandong-draft": String(summary.draft),
            "content-disposition": `${format === "docx" ? "attachment" : "inline"}; filename="${params.campaign}-${query.form ?? "summary"}.${format}"`,
          }
          return typeof summary.content === "string"
            ? HttpServerResponse.text(summary.content, { contentType: summaryMediaTypes[format], headers })
            : HttpServerResponse.uint8Array(summary.content, { contentType: summaryMediaTypes[format], headers })
        },
      ),
    ),
  ),
)
