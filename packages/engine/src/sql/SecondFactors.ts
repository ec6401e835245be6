/**
 * The second factor's statements: a person's TOTP secret, its last accepted time step, and
 * their recovery codes by SHA-256. Accepting a code is one conditional update, so two
 * sign-ins racing with the same code cannot both succeed.
 */
import type { Sql } from "../Db.ts"

/** A person's second factor, pending or confirmed, or undefined. */
export const selectSecondFactor = (db: Sql, principal: string) =>
  db
    .selectFrom("second_factors")
    .select(["secret", "confirmed_at", "last_step"])
    .where("principal_id", "=", principal)
    .executeTakeFirst()

/** Enrols a new secret, pending confirmation, replacing a pending one. */
export const upsertPendingSecondFactor = (db: Sql, principal: string, secret: string, at: Date): Promise<unknown> =>
  db
    .insertInto("second_factors")
    .values({ principal_id: principal, secret, created_at: at, confirmed_at: null, last_step: null })
    .onConflict((oc) =>
      oc.column("principal_id").doUpdateSet({ secret, created_at: at, confirmed_at: null, last_step: null }),
    )
    .execute()

/** Confirms a pending second factor with the step of the code that confirmed it; false if none was pending. */
export const confirmSecondFactor = (db: Sql, principal: string, step: number, at: Date): Promise<boolean> =>
  db
    .updateTable("second_factors")
    .set({ confirmed_at: at, last_step: step })
    .where("principal_id", "=", principal)
    .where("confirmed_at", "is", null)
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) > 0)

/** Accepts a time step later than every one accepted before; false for a step already used (a replay). */
export const advanceStep = (db: Sql, principal: string, step: number): Promise<boolean> =>
  db
    .updateTable("second_factors")
    .set({ last_step: step })
    .where("principal_id", "=", principal)
    .where("confirmed_at", "is not", null)
    .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", String(step))]))
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) > 0)

/** Replaces a person's recovery codes by these hashes. */
export const replaceRecoveryCodes = async (db: Sql, principal: string, hashes: ReadonlyArray<string>, at: Date) => {
  await db.deleteFrom("recovery_codes").where("principal_id", "=", principal).execute()
  await db
    .insertInto("recovery_codes")
    .values(hashes.map((code_hash) => ({ principal_id: principal, code_hash, created_at: at })))
    .execute()
}

/** Uses a recovery code not used before; false when it is unknown or used. */
export const useRecoveryCode = (db: Sql, principal: string, hash: string, at: Date): Promise<boolean> =>
  db
    .updateTable("recovery_codes")
    .set({ used_at: at })
    .where("principal_id", "=", principal)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) > 0)

/** How many recovery codes a person has left. */
export const countRecoveryCodes = (db: Sql, principal: string): Promise<number> =>
  db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("principal_id", "=", principal)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n))

/** Removes a person's second factor and recovery codes. */
export const deleteSecondFactor = async (db: Sql, principal: string) => {
  await db.deleteFrom("recovery_codes").where("principal_id", "=", principal).execute()
  return db
    .deleteFrom("second_factors")
    .where("principal_id", "=", principal)
    .executeTakeFirst()
    .then((result) => Number(result.numDeletedRows) > 0)
}
