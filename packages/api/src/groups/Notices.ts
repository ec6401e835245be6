/**
 * Notices: the signed-in person's in-app notices and unread count, marking them read, and
 * for a campaign's coordinator and auditors who each notice reached and how.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, Key } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** What a notice is about. */
export const NoticeKind = Schema.Literals(["reminder", "overdue", "returned", "approved", "phase-opened"])

/** One of the person's notices. */
export const NoticeItem = Schema.Struct({
  id: Schema.String,
  kind: NoticeKind,
  campaign: Schema.String,
  campaignTitle: Schema.String,
  unit: Schema.String,
  task: Schema.NullOr(Schema.String),
  phase: Schema.NullOr(Schema.String),
  /** the same words as the email's subject */
  subject: Schema.String,
  at: Schema.String,
  read: Schema.Boolean,
})

/** The person's notices, newest first, and how many are unread. */
export const Notices = Schema.Struct({ unread: Schema.Int, items: Schema.Array(NoticeItem) })

/** Which notices to mark read: these, or `"all"` (every unread one). */
export const ReadNotices = Schema.Struct({
  ids: Schema.Union([
    Schema.Literal("all"),
    Schema.Array(Schema.String.check(Schema.isPattern(/^\d{1,18}$/))).check(Schema.isMaxLength(500)),
  ]),
})

/** One notice to one person through one channel, or to one of the campaign's webhooks, and what became of it. */
export const Delivery = Schema.Struct({
  id: Schema.String,
  /** the person reached; null for a webhook or group robot */
  person: Schema.NullOr(Schema.String),
  /** the webhook or group robot reached (see /campaigns/{campaign}/webhooks); null for a person */
  webhook: Schema.NullOr(Schema.String),
  unit: Schema.String,
  kind: NoticeKind,
  task: Schema.NullOr(Schema.String),
  phase: Schema.NullOr(Schema.String),
  channel: Schema.Literals(["email", "in-app", "webhook", "wecom", "dingtalk"]),
  address: Schema.NullOr(Schema.String),
  status: Schema.Literals(["pending", "failed", "sent", "parked"]),
  attempts: Schema.Int,
  lastError: Schema.NullOr(Schema.String),
  sentAt: Schema.NullOr(Schema.String),
  at: Schema.String,
})

/** The notices group. */
export class NoticesGroup extends HttpApiGroup.make("notices")
  .add(
    HttpApiEndpoint.get("list", "/notices", {
      query: {
        unread: Schema.optional(Schema.Literals(["true", "false"])),
        limit: Schema.optional(
          Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 })),
        ),
      },
      success: Notices,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("read", "/notices/read", {
      headers: IdempotencyHeaders,
      payload: ReadNotices,
      success: Schema.Struct({ marked: Schema.Int }),
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("deliveries", "/campaigns/:campaign/deliveries", {
      params: { campaign: Key },
      success: Schema.Array(Delivery),
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "notices", description: "通知与送达 / notices and their deliveries" })) {}
