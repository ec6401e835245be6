/** A person's notice preferences: read, set, and read for the people a fan-out reaches. */
import type { Sql } from "../Db.ts"

/** What is stored of one person's preferences. */
export interface PreferencesRow {
  readonly muted_kinds: ReadonlyArray<string>
  readonly quiet_from: string | null
  readonly quiet_to: string | null
  readonly time_zone: string
  readonly updated_at: Date | string
}

const columns = ["principal_id", "muted_kinds", "quiet_from", "quiet_to", "time_zone", "updated_at"] as const

/** One person's preferences; undefined when they never set any. */
export const selectPreferences = (db: Sql, principalId: string) =>
  db.selectFrom("notice_preferences").select(columns).where("principal_id", "=", principalId).executeTakeFirst()

/** The preferences of these people (those who set any). */
export const selectPreferencesOf = (db: Sql, principalIds: ReadonlyArray<string>) =>
  principalIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("notice_preferences")
        .select(columns)
        .where("principal_id", "in", [...principalIds])
        .execute()

/** Sets one person's preferences, replacing what they had. */
export const upsertPreferences = (
  db: Sql,
  principalId: string,
  row: {
    readonly muted: ReadonlyArray<string>
    readonly quietFrom: string | null
    readonly quietTo: string | null
    readonly timeZone: string
    readonly at: Date
  },
) => {
  const values = {
    muted_kinds: JSON.stringify(row.muted),
    quiet_from: row.quietFrom,
    quiet_to: row.quietTo,
    time_zone: row.timeZone,
    updated_at: row.at,
  }
  return db
    .insertInto("notice_preferences")
    .values({ principal_id: principalId, ...values })
    .onConflict((oc) => oc.column("principal_id").doUpdateSet(values))
    .execute()
    .then(() => undefined)
}
