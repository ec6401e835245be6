/**
 * The record: the journal as a filtered, paginated trail; per-unit
 * accountability; verification of the chain and checkpoints; checkpoints;
 * the journal as JSON Lines for offline verification.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdempotencyHeaders, IsoTime, Key, Page, PageQuery, Text } from "../Common.ts"
import { readProblems, writeProblems } from "../Problems.ts"
import { Authentication } from "../Security.ts"

/** What a journal entry's event carried besides its task, in parts a reader puts into words in its language. */
export const TrailNote = Schema.Struct({
  phase: Schema.NullOr(Schema.String).annotate({ description: "the phase the event names" }),
  report: Schema.NullOr(Schema.String).annotate({ description: "the report submitted, approved or returned" }),
  reason: Schema.NullOr(Schema.String).annotate({ description: "a person's own words: why a report was returned" }),
  comment: Schema.optional(Schema.NullOr(Schema.String)).annotate({
    description: "the approver's comment (审批意见) on an approval",
  }),
  subjectUnit: Schema.NullOr(Schema.String).annotate({
    description: "the unit an event of the campaign's machine concerns (a unit that finished a phase)",
  }),
  version: Schema.NullOr(Schema.Int).annotate({ description: "the definition version deployed" }),
  summary: Schema.NullOr(Schema.String).annotate({ description: "the summary written" }),
  nudge: Schema.optional(
    Schema.NullOr(
      Schema.Struct({
        units: Schema.Array(Schema.String),
        which: Schema.NullOr(Schema.Literals(["unacknowledged", "unreported", "returned"])),
        task: Schema.NullOr(Schema.String),
        message: Schema.NullOr(Schema.String),
      }),
    ),
  ).annotate({
    description: "a nudge (催办): the units it reached, the selector (null: units named) and the message",
  }),
  refusal: Schema.NullOr(
    Schema.Struct({
      action: Schema.String,
      ref: Schema.String,
      zh: Schema.NullOr(Schema.String),
      en: Schema.String,
      repeated: Schema.optional(Schema.Int).annotate({
        description: "the same refusals since this key's last journaled one, counted without a row each",
      }),
    }),
  ).annotate({
    description:
      "a refused attempt: the action, what it named, and why (zh is null on rows recorded before it was kept)",
  }),
})

/** One journal entry as a timeline reads it. */
export const TrailEntry = Schema.Struct({
  seq: Schema.Int,
  at: Schema.String,
  recordedAt: Schema.String,
  actor: Schema.String,
  actorName: Schema.NullOr(Schema.String).annotate({
    description: "the person's name from the directory; null for the worker, the command line or a removed id",
  }),
  role: Schema.String,
  actorUnit: Schema.NullOr(Schema.String),
  unit: Schema.NullOr(Schema.String),
  task: Schema.NullOr(Schema.String),
  event: Schema.String,
  cause: Schema.String,
  idempotencyKey: Schema.NullOr(Schema.String),
  before: Schema.String,
  after: Schema.String,
  detail: Schema.NullOr(Schema.String).annotate({ description: "the note in English, for plain-text readers" }),
  note: TrailNote,
})
export type TrailEntry = typeof TrailEntry.Type

/** One unit's task from assignment to approval. */
export const AccountabilityRow = Schema.Struct({
  unit: Schema.String,
  unitName: Schema.String,
  task: Schema.String,
  taskTitle: Schema.String,
  deadline: Schema.String,
  status: Schema.String,
  acknowledgedAt: Schema.NullOr(Schema.String),
  reportedAt: Schema.NullOr(Schema.String),
  lateMinutes: Schema.NullOr(Schema.Int),
  returns: Schema.Int,
  reminded: Schema.Int,
  approvedBy: Schema.NullOr(Schema.String),
  approvedAt: Schema.NullOr(Schema.String),
})

/** A signed statement that the journal had `seq` rows ending in `head`. */
export const Checkpoint = Schema.Struct({
  campaign: Schema.String,
  seq: Schema.Int,
  head: Schema.NullOr(Schema.String),
  reason: Schema.Literals(["phase", "close", "demand"]),
  at: Schema.String,
  keyId: Schema.String,
  signedAt: Schema.optional(Schema.String),
  signature: Schema.String,
})

/** The outcome of verifying the chain, the checkpoints and a replay of every machine. */
export const Verification = Schema.Struct({
  campaign: Schema.String,
  ok: Schema.Boolean,
  rows: Schema.Int,
  checkpoints: Schema.Int,
  machines: Schema.Int,
  findings: Schema.Array(
    Schema.Struct({
      seq: Schema.NullOr(Schema.Int),
      check: Schema.Literals(["chain", "checkpoint", "replay", "content", "summary"]),
      zh: Schema.String,
      en: Schema.String,
    }),
  ),
  /** rows written before the journal recorded content, whose reports are not checked against it */
  uncovered: Schema.Int,
  /** the key ring: every key that has signed, with its validity */
  keys: Schema.Array(
    Schema.Struct({
      keyId: Schema.String,
      publicKey: Schema.String,
      validFrom: Schema.String,
      validUntil: Schema.NullOr(Schema.String),
    }),
  ),
})

const campaign = { campaign: Key }

/** The audit group. */
export class AuditGroup extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("journal", "/campaigns/:campaign/journal", {
      params: campaign,
      query: {
        ...PageQuery,
        unit: Schema.optional(Key),
        actor: Schema.optional(Text.check(Schema.isMaxLength(200))),
        task: Schema.optional(Key),
        since: Schema.optional(IsoTime),
        until: Schema.optional(IsoTime),
      },
      success: Page(TrailEntry),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("accountability", "/campaigns/:campaign/accountability", {
      params: campaign,
      success: Schema.Array(AccountabilityRow),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("verification", "/campaigns/:campaign/verification", {
      params: campaign,
      success: Verification,
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("checkpoints", "/campaigns/:campaign/checkpoints", {
      params: campaign,
      success: Schema.Array(Checkpoint),
      error: readProblems,
    }),
  )
  .add(
    HttpApiEndpoint.post("checkpoint", "/campaigns/:campaign/checkpoints", {
      params: campaign,
      headers: IdempotencyHeaders,
      success: Checkpoint,
      error: writeProblems,
    }),
  )
  .add(
    HttpApiEndpoint.get("export", "/campaigns/:campaign/journal.jsonl", {
      params: campaign,
      success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "application/jsonl" })).annotate({
        description: "the journal as JSON Lines, one row per line, as journal.jsonl of `liandong audit export`",
      }),
      error: readProblems,
    }),
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotateMerge(OpenApi.annotations({ title: "audit", description: "日志与核验 / journal and verification" })) {}
