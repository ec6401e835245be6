/** A campaign's webhooks and group robots, and the deliveries to them. */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** The fields of a new endpoint. */
export interface WebhookToInsert {
  readonly campaign_id: string
  readonly kind: "webhook" | "wecom" | "dingtalk"
  readonly url: string
  readonly events: ReadonlyArray<string> | null
  readonly secret: string | null
  readonly created_by: string
  readonly created_at: Date
}

/** Registers an endpoint; its id. */
export const insertWebhook = (db: Sql, row: WebhookToInsert) =>
  db
    .insertInto("webhooks")
    .values({ ...row, events: row.events === null ? null : JSON.stringify(row.events) })
    .returning(["id"])
    .executeTakeFirstOrThrow()
    .then((r) => String(r.id))

/** A campaign's endpoints in use, oldest first, without their secrets (only whether there is one). */
export const selectWebhooks = (db: Sql, campaignId: string) =>
  db
    .selectFrom("webhooks")
    .select(["id", "kind", "url", "events", "created_by", "created_at"])
    .select(sql<boolean>`secret is not null`.as("signed"))
    .where("campaign_id", "=", campaignId)
    .where("removed_at", "is", null)
    .orderBy("id")
    .execute()

/** Marks an endpoint of the campaign removed; its kind and url when it was in use. */
export const markWebhookRemoved = (db: Sql, campaignId: string, id: string, by: string, at: Date) =>
  db
    .updateTable("webhooks")
    .set({ removed_by: by, removed_at: at })
    .where("campaign_id", "=", campaignId)
    .where("id", "=", id)
    .where("removed_at", "is", null)
    .returning(["id", "kind", "url"])
    .executeTakeFirst()

/** Deliveries to endpoints due at `now`, with their notice and endpoint, locked (skipping those another worker holds). */
export const claimDueEndpointDeliveries = (db: Sql, now: Date, limit: number) =>
  db
    .selectFrom("deliveries as d")
    .innerJoin("notifications as n", "n.id", "d.notification_id")
    .innerJoin("webhooks as w", "w.id", "d.webhook_id")
    .select([
      "d.id",
      "d.attempts",
      "n.campaign_id",
      "n.unit_key",
      "n.kind",
      "n.body",
      "n.created_at",
      "w.kind as endpoint",
      "w.url",
      "w.secret",
      "w.removed_at",
    ])
    .where("d.channel", "in", ["webhook", "wecom", "dingtalk"])
    .where("d.status", "in", ["pending", "failed"])
    .where("d.next_attempt_at", "<=", now)
    .orderBy("d.next_attempt_at")
    .orderBy("d.id")
    .limit(limit)
    .forUpdate("d")
    .skipLocked()
    .execute()
