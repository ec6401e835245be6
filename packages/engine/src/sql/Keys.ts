/** The key ring: the public half of every signing key, with when it began and stopped signing. */
import type { Sql } from "../Db.ts"

/** Adds a key to the ring, valid from `at`; a key already there is left as it is. */
export const enrolKeyRow = (db: Sql, key: { readonly keyId: string; readonly publicKeyPem: string }, at: Date) =>
  db
    .insertInto("signing_keys")
    .values({ key_id: key.keyId, public_key: key.publicKeyPem, valid_from: at })
    .onConflict((oc) => oc.column("key_id").doNothing())
    .execute()

/** When a key of the ring was retired (null while it signs). */
export const keyRetiredAt = (db: Sql, keyId: string) =>
  db
    .selectFrom("signing_keys")
    .select("valid_until")
    .where("key_id", "=", keyId)
    .executeTakeFirstOrThrow()
    .then((row) => row.valid_until)

/** Every key of the ring, oldest first. */
export const listKeyRows = (db: Sql) =>
  db
    .selectFrom("signing_keys")
    .select(["key_id", "public_key", "valid_from", "valid_until"])
    .orderBy("valid_from")
    .orderBy("key_id")
    .execute()

/** Retires a key from `at` on, unless it was retired already. */
export const retireKey = (db: Sql, keyId: string, at: Date) =>
  db
    .updateTable("signing_keys")
    .set({ valid_until: at })
    .where("key_id", "=", keyId)
    .where("valid_until", "is", null)
    .execute()

/** Keys that signed checkpoints but are not in the ring (checkpoints older than the ring), with when each first signed. */
export const selectUnlistedSigners = (db: Sql) =>
  db
    .selectFrom("checkpoints")
    .select((eb) => ["key_id", eb.fn.min("recorded_at").as("first_signed")])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom("signing_keys").select("key_id").whereRef("signing_keys.key_id", "=", "checkpoints.key_id")),
      ),
    )
    .groupBy("key_id")
    .orderBy("key_id")
    .execute()
