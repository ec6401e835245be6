/**
 * What a person reads of their notices (the in-app channel), and what a coordinator reads of
 * a campaign's deliveries: who was reached, by which channel, and what failed.
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { journalDenial } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import { query } from "../Db.ts"
import { loadCampaign } from "../Definitions.ts"
import { NotAllowed } from "../Errors.ts"
import { principalNames } from "../reads/Reports.ts"
import { visibleCampaign } from "../reads/Scope.ts"
import { countUnread, markRead, selectDeliveries, selectInbox } from "../sql/Notices.ts"
import { noticeText } from "./Notices.ts"

/** What a notice's body may carry: its task or phase, and for a nudge its id, message and author. */
interface NoticeBody {
  readonly task?: string | null
  readonly phase?: string | null
  readonly nudge?: string | null
  readonly message?: string | null
  readonly by?: string | null
  /** when it happened on the campaign's clock */
  readonly at?: string | null
}

/** A notice's time: the campaign clock's, as its body records it, else when it was written. */
const whenOf = (body: NoticeBody, createdAt: Date | string) =>
  new Date(typeof body.at === "string" ? body.at : createdAt).toISOString()

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

/** The actor's in-app notices, newest first (up to `limit`, default 50), and how many are unread. */
export const myNotices = (actor: Actor, options: { readonly unreadOnly?: boolean; readonly limit?: number } = {}) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal") return { unread: 0, items: [] }
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 200)
    const [rows, unread] = yield* Effect.all([
      query("notices.inbox", (db) => selectInbox(db, actor.id, limit, options.unreadOnly ?? false)),
      query("notices.unread", (db) => countUnread(db, actor.id)),
    ])
    const items = []
    for (const row of rows) {
      const campaign = (yield* loadCampaign(row.campaign_id)).definition
      const body = (row.body ?? {}) as NoticeBody
      items.push({
        id: String(row.id),
        notice: String(row.notification_id),
        kind: row.kind,
        campaign: row.campaign_id,
        campaignTitle: campaign.title,
        campaignTitleEn: campaign.titleEn ?? null,
        unit: row.unit_key,
        task: body.task ?? null,
        phase: body.phase ?? null,
        subject: noticeText(campaign, { kind: row.kind, unit: row.unit_key, body: row.body }, actor.id).subject,
        message: typeof body.message === "string" ? body.message : null,
        nudge: typeof body.nudge === "string" ? body.nudge : null,
        by: typeof body.by === "string" ? body.by : null,
        at: whenOf(body, row.created_at),
        read: row.read_at !== null,
      })
    }
    const names = yield* principalNames(items.map((item) => item.by))
    return {
      unread,
      items: items.map((item) => ({ ...item, byName: item.by === null ? null : (names.get(item.by) ?? null) })),
    }
  })

/** Marks the actor's own notices read (`ids`, or every unread one); how many were marked. */
export const readNotices = (actor: Actor, ids: ReadonlyArray<string> | null) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal") return { marked: 0 }
    const now = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    const valid = ids === null ? null : ids.filter((id) => /^\d{1,18}$/.test(id))
    const marked = yield* query("notices.read", (db) => markRead(db, actor.id, valid, now))
    return { marked }
  })

/** A campaign's deliveries, for its coordinator and auditors: per person and channel, the outcome. */
export const campaignDeliveries = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    const auditor = actor.kind === "principal" && actor.role === "auditor"
    if (!manages(actor, loaded.definition) && !auditor)
      return yield* Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action: "deliveries",
          zh: `无权查看活动“${loaded.definition.title}”的通知送达情况`,
          en: `may not read the deliveries of campaign "${campaignId}"`,
        }),
      ).pipe(journalDenial(campaignId, actor, "deliveries", campaignId))
    const rows = yield* query("notices.deliveries", (db) => selectDeliveries(db, campaignId))
    const names = yield* principalNames(rows.map((row) => row.principal_id))
    return rows.map((row) => {
      const body = (row.body ?? {}) as NoticeBody
      return {
        id: String(row.id),
        notice: String(row.notification_id),
        nudge: typeof body.nudge === "string" ? body.nudge : null,
        message: typeof body.message === "string" ? body.message : null,
        person: row.principal_id,
        personName: row.principal_id === null ? null : (names.get(row.principal_id) ?? null),
        webhook: row.webhook_id === null ? null : String(row.webhook_id),
        unit: row.unit_key,
        kind: row.kind,
        task: body.task ?? null,
        phase: body.phase ?? null,
        channel: row.channel,
        address: row.address,
        status: row.status,
        attempts: row.attempts,
        lastError: row.last_error,
        sentAt: iso(row.sent_at),
        at: whenOf(body, row.created_at),
      }
    })
  })
