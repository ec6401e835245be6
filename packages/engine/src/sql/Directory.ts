/** The directory's statements: principals (people and their tokens' owners) and the units they name. */
import type { PrincipalRow } from "@liandong/store"
import type { Sql } from "../Db.ts"

/** True when some campaign names a unit with this key. */
export const unitKeyExists = (db: Sql, key: string): Promise<boolean> =>
  db
    .selectFrom("units")
    .select("key")
    .where("key", "=", key)
    .limit(1)
    .executeTakeFirst()
    .then((row) => row !== undefined)

/** Which of these unit keys some campaign names. */
export const selectNamedUnitKeys = (db: Sql, keys: ReadonlyArray<string>): Promise<Set<string>> =>
  keys.length === 0
    ? Promise.resolve(new Set())
    : db
        .selectFrom("units")
        .select("key")
        .distinct()
        .where("key", "in", [...keys])
        .execute()
        .then((rows) => new Set(rows.map((row) => row.key)))

/** Adds principals, or updates and re-enables those whose ids exist, in one statement. */
export const upsertPrincipals = (
  db: Sql,
  principals: ReadonlyArray<{ id: string; name: string; role: PrincipalRow["role"]; unit: string | null }>,
): Promise<unknown> =>
  principals.length === 0
    ? Promise.resolve()
    : db
        .insertInto("principals")
        .values(principals.map((p) => ({ id: p.id, name: p.name, role: p.role, unit_key: p.unit })))
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            name: eb.ref("excluded.name"),
            role: eb.ref("excluded.role"),
            unit_key: eb.ref("excluded.unit_key"),
            disabled_at: null,
          })),
        )
        .execute()

/** Adds a principal, or updates and re-enables the one with its id. */
export const upsertPrincipal = (
  db: Sql,
  principal: { id: string; name: string; role: PrincipalRow["role"]; unit: string | null },
): Promise<unknown> =>
  db
    .insertInto("principals")
    .values({ id: principal.id, name: principal.name, role: principal.role, unit_key: principal.unit })
    .onConflict((oc) =>
      oc
        .column("id")
        .doUpdateSet({ name: principal.name, role: principal.role, unit_key: principal.unit, disabled_at: null }),
    )
    .execute()

/** Every principal, by id. */
export const selectPrincipals = (
  db: Sql,
): Promise<Array<Pick<PrincipalRow, "id" | "name" | "role" | "unit_key" | "disabled_at">>> =>
  db.selectFrom("principals").select(["id", "name", "role", "unit_key", "disabled_at"]).orderBy("id").execute()

/** An enabled principal's role and unit, or undefined. */
export const selectEnabledPrincipal = (
  db: Sql,
  id: string,
): Promise<Pick<PrincipalRow, "id" | "role" | "unit_key"> | undefined> =>
  db
    .selectFrom("principals")
    .select(["id", "role", "unit_key"])
    .where("id", "=", id)
    .where("disabled_at", "is", null)
    .executeTakeFirst()

/** True when a principal with this id exists, enabled or not. */
export const principalExists = (db: Sql, id: string): Promise<boolean> =>
  db
    .selectFrom("principals")
    .select("id")
    .where("id", "=", id)
    .executeTakeFirst()
    .then((row) => row !== undefined)

/**
 * A principal with the name of its unit: the one the latest deployed campaign
 * naming the office gives (the highest definition id, as each deploy pins a new one).
 */
export const selectPrincipalWithUnitName = (db: Sql, id: string) =>
  db
    .selectFrom("principals")
    .select(["principals.id", "principals.name", "principals.role", "principals.unit_key"])
    .select((eb) =>
      eb
        .selectFrom("units")
        .innerJoin("campaigns", "campaigns.id", "units.campaign_id")
        .select("units.name")
        .whereRef("units.key", "=", "principals.unit_key")
        .orderBy("campaigns.definition_id", "desc")
        .limit(1)
        .as("unit_name"),
    )
    .where("principals.id", "=", id)
    .executeTakeFirst()

/** The names of these principals, by id (those that exist). */
export const selectPrincipalNames = (
  db: Sql,
  ids: ReadonlyArray<string>,
): Promise<Array<{ id: string; name: string }>> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("principals")
        .select(["id", "name"])
        .where("id", "in", [...ids])
        .execute()
