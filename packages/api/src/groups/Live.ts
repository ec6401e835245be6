/**
 * Live updates for dashboards: a server-sent event each time the campaign's
 * journal grows, or a cheap cursor to poll with.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Key } from "../Common.ts"
import { readProblems, TooManyRequests } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** The journal's length now: compare with the last one seen. */
export const Change = Schema.Struct({
  campaign: Schema.String,
  seq: Schema.Int,
  status: Schema.String,
  phase: Schema.NullOr(Schema.String),
  changed: Schema.Boolean,
})

/** The live group. */
export class LiveGroup extends HttpApiGroup.make("live")
  .add(
    HttpApiEndpoint.get("events", "/campaigns/:campaign/events", {
      params: { campaign: Key },
      success: HttpApiSchema.StreamSse({ data: Change }).annotate({
        description:
          "event `change` with a Change each time the journal grows; a comment every 15 s keeps it open; it ends when its token is revoked or expires",
      }),
      // 429: the token already holds the most streams allowed at once.
      error: [...readProblems, TooManyRequests],
    }),
  )
  .add(
    HttpApiEndpoint.get("changes", "/campaigns/:campaign/changes", {
      params: { campaign: Key },
      query: { since: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))) },
      success: Change,
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "live", description: "实时更新 / live updates" })) {}
