/** Refused attempts counted per (principal, action, target) and window (`denials`). */
import type { Sql } from "../Db.ts"

/** A key's current window, locked for this transaction; nothing before its first refusal. */
export const lockDenialWindow = (db: Sql, principal: string, action: string, target: string) =>
  db
    .selectFrom("denials")
    .select(["window_start", "journaled", "pending"])
    .where("principal", "=", principal)
    .where("action", "=", action)
    .where("target", "=", target)
    .forUpdate()
    .executeTakeFirst()

/** How many keys of the principal were journaled in the campaign in windows begun after `cutoff`. */
export const journaledKeysSince = (db: Sql, principal: string, campaignId: string, cutoff: Date) =>
  db
    .selectFrom("denials")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("principal", "=", principal)
    .where("campaign_id", "=", campaignId)
    .where("journaled", "=", true)
    .where("window_start", ">", cutoff)
    .executeTakeFirst()
    .then((row) => Number(row?.n ?? 0))

/** One refusal to count. */
export interface Refusal {
  readonly principal: string
  readonly action: string
  readonly target: string
  /** the campaign whose chain may journal it, or null */
  readonly campaignId: string | null
  readonly journaled: boolean
  readonly at: Date
  readonly pending: number
}

/**
 * Counts a refusal: a key's first, or the first of a `fresh` window, starts the window anew;
 * a later one in the window adds to its attempts and to the refusals not yet journaled.
 */
export const countRefusal = (db: Sql, refusal: Refusal, fresh: boolean) =>
  db
    .insertInto("denials")
    .values({
      principal: refusal.principal,
      action: refusal.action,
      target: refusal.target,
      campaign_id: refusal.campaignId,
      journaled: refusal.journaled,
      window_start: refusal.at,
      last_at: refusal.at,
      attempts: 1,
      pending: refusal.pending,
    })
    .onConflict((oc) =>
      oc.columns(["principal", "action", "target"]).doUpdateSet((eb) =>
        fresh
          ? {
              last_at: eb.ref("excluded.last_at"),
              pending: eb.ref("excluded.pending"),
              journaled: eb.ref("excluded.journaled"),
              window_start: eb.ref("excluded.window_start"),
              attempts: 1,
            }
          : {
              last_at: eb.ref("excluded.last_at"),
              pending: eb("denials.pending", "+", 1),
              attempts: eb("denials.attempts", "+", 1),
            },
      ),
    )
    .execute()
