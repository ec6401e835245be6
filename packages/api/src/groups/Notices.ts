/**
 * Notices: the signed-in person's in-app notices and unread count, marking them read, their
 * notice preferences (kinds by email, quiet hours),
 * nudging (催办) units of a campaign, and for a campaign's coordinator and auditors who each
 * notice reached and how.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, isStorableText, Key } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** What a notice is about. */
export const NoticeKind = Schema.Literals([
  "reminder",
  "overdue",
  "returned",
  "approved",
  "phase-opened",
  "nudge",
  "escalated",
])

/** One of the person's notices. */
export const NoticeItem = Schema.Struct({
  id: Schema.String,
  /** the notice this delivery carries (one per unit) */
  notice: Schema.String,
  kind: NoticeKind,
  campaign: Schema.String,
  campaignTitle: Schema.String,
  campaignTitleEn: Schema.NullOr(Schema.String),
  unit: Schema.String,
  task: Schema.NullOr(Schema.String),
  phase: Schema.NullOr(Schema.String),
  /** the same words as the email's subject */
  subject: Schema.String,
  /** a nudge's message, in its author's words */
  message: Schema.NullOr(Schema.String),
  /** the nudge this notice belongs to */
  nudge: Schema.NullOr(Schema.String),
  /** who nudged */
  by: Schema.NullOr(Schema.String),
  byName: Schema.NullOr(Schema.String).annotate({ description: "the nudger's name, from the directory" }),
  at: Schema.String,
  read: Schema.Boolean,
})

export type NoticeItem = typeof NoticeItem.Type

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
  notice: Schema.String,
  /** the nudge the notice belongs to (its deliveries grouped), null for other kinds */
  nudge: Schema.NullOr(Schema.String),
  message: Schema.NullOr(Schema.String),
  /** the person reached; null for a webhook or group robot */
  person: Schema.NullOr(Schema.String),
  /** the person's name, from the directory */
  personName: Schema.NullOr(Schema.String),
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

const unitKeyList = Schema.Array(Key).check(
  Schema.isMinLength(1, { message: "至少指定一个单位 / name at least one unit" }),
  Schema.isMaxLength(1000, { message: "一次最多催办 1000 个单位 / at most 1000 units at once" }),
)

/** A nudge (催办): the units named, or `which` units of a phase or task; an optional message. */
export const NudgeBody = Schema.Struct({
  phase: Schema.optional(Key),
  task: Schema.optional(Key),
  units: Schema.optional(unitKeyList),
  which: Schema.optional(
    Schema.Literals(["unacknowledged", "unreported", "returned"]).annotate({
      description:
        "未确认接收 / 未报送 / 被退回待重报: not acknowledged, not reported, returned and not reported again",
    }),
  ),
  message: Schema.optional(
    Schema.String.check(
      isStorableText<string>(),
      Schema.isMaxLength(500, { message: "留言不超过 500 字 / the message is at most 500 characters" }),
    ),
  ),
}).check(
  Schema.makeFilter((body) =>
    (body.units === undefined) === (body.which === undefined)
      ? {
          path: ["which"],
          issue:
            "须指定单位(units)或范围(which)之一 / name the units, or which units (unacknowledged, unreported, returned), not both",
        }
      : undefined,
  ),
)

/** Whom a nudge reached: its units and notices, and its journal row. */
export const Nudged = Schema.Struct({
  campaign: Schema.String,
  nudge: Schema.String,
  units: Schema.Array(Schema.String),
  notices: Schema.Int,
  journal: Schema.Int,
  replayed: Schema.Boolean,
})

export type Delivery = typeof Delivery.Type

/** Quiet hours: local times HH:MM in the person's time zone; `to` earlier than `from` spans midnight. */
export const QuietHours = Schema.Struct({
  from: Schema.String.check(Schema.isMaxLength(5)).annotate({ description: "HH:MM, e.g. 22:00" }),
  to: Schema.String.check(Schema.isMaxLength(5)).annotate({ description: "HH:MM, e.g. 07:30" }),
})

/** The signed-in person's notice preferences, as set. */
export const NoticePreferencesBody = Schema.Struct({
  muted: Schema.Array(NoticeKind)
    .check(Schema.isMaxLength(20))
    .annotate({ description: "不接收邮件的通知种类(站内通知照常)/ the kinds not sent by email (in-app still)" }),
  quietHours: Schema.NullOr(QuietHours).annotate({
    description: "免打扰时段,期间不发邮件,结束时再发 / no email in these hours; it goes when they end",
  }),
  timeZone: Schema.optional(
    Schema.String.check(Schema.isMaxLength(64)).annotate({ description: "IANA time zone, default Asia/Shanghai" }),
  ),
})

/** The person's notice preferences; `updatedAt` null: never set, the defaults. */
export const NoticePreferences = Schema.Struct({
  muted: Schema.Array(NoticeKind),
  quietHours: Schema.NullOr(QuietHours),
  timeZone: Schema.String,
  updatedAt: Schema.NullOr(Schema.String),
})
export type NoticePreferences = typeof NoticePreferences.Type

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
  .add(HttpApiEndpoint.get("preferences", "/notices/preferences", { success: NoticePreferences, error: readProblems }))
  .add(
    HttpApiEndpoint.put("setPreferences", "/notices/preferences", {
      payload: NoticePreferencesBody,
      success: NoticePreferences,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("nudge", "/campaigns/:campaign/nudges", {
      params: { campaign: Key },
      headers: IdempotencyHeaders,
      payload: NudgeBody,
      success: Nudged,
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
  .annotateMerge(
    OpenApi.annotations({ title: "notices", description: "通知、催办与送达 / notices, nudges and their deliveries" }),
  ) {}
