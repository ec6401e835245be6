/**
 * People's statements: contact details on principals, credentials, invitations, sessions
 * and the people log. Invitations and sessions are found by the SHA-256 of their secret.
 */
import { type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"

/** True when a campaign coordinated by `coordinator` (an office key) names the unit. */
export const coordinatesUnit = (db: Sql, coordinator: string, unit: string): Promise<boolean> =>
  db
    .selectFrom("units")
    .innerJoin("campaigns", "campaigns.id", "units.campaign_id")
    .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
    .select("units.key")
    .where("units.key", "=", unit)
    .where(sql<SqlBool>`definitions.body->>'coordinator' = ${coordinator}`)
    .limit(1)
    .executeTakeFirst()
    .then((row) => row !== undefined)

/** A person as signing in and the password policy need them, with their credentials if any. */
export const selectPersonForSignIn = (db: Sql, id: string) =>
  db
    .selectFrom("principals")
    .leftJoin("credentials", "credentials.principal_id", "principals.id")
    .select([
      "principals.id",
      "principals.name",
      "principals.role",
      "principals.unit_key",
      "principals.mobile",
      "principals.disabled_at",
      "credentials.password_hash",
      "credentials.failed_count",
      "credentials.locked_until",
    ])
    .where("principals.id", "=", id)
    .executeTakeFirst()

/** Adds a person (a principal with contact details); false when the id is taken. */
export const insertPerson = (
  db: Sql,
  person: {
    id: string
    name: string
    role: "coordinator" | "unit" | "auditor"
    unit: string | null
    mobile: string | null
    email: string | null
  },
): Promise<boolean> =>
  db
    .insertInto("principals")
    .values({
      id: person.id,
      name: person.name,
      role: person.role,
      unit_key: person.unit,
      mobile: person.mobile,
      email: person.email,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst()
    .then((result) => Number(result.numInsertedOrUpdatedRows ?? 0) > 0)

/** Stores an invitation by the hash of its token. */
export const insertInvitation = (
  db: Sql,
  invitation: { id: string; tokenHash: string; principal: string; createdBy: string; expiresAt: Date },
): Promise<unknown> =>
  db
    .insertInto("invitations")
    .values({
      id: invitation.id,
      token_hash: invitation.tokenHash,
      principal_id: invitation.principal,
      created_by: invitation.createdBy,
      expires_at: invitation.expiresAt,
    })
    .execute()

/** Revokes a person's invitations not yet used, so only the newest link works. */
export const revokeOpenInvitations = (db: Sql, principal: string, at: Date): Promise<unknown> =>
  db
    .updateTable("invitations")
    .set({ revoked_at: at })
    .where("principal_id", "=", principal)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .execute()

/** Uses an invitation still open at `at`: its person, or undefined when there is none. */
export const useInvitation = (db: Sql, tokenHash: string, at: Date) =>
  db
    .updateTable("invitations")
    .set({ used_at: at })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", at)
    .returning(["id", "principal_id"])
    .executeTakeFirst()

/** Sets a person's password, clearing failures and any lock. */
export const upsertCredentials = (db: Sql, principal: string, hash: string, at: Date): Promise<unknown> =>
  db
    .insertInto("credentials")
    .values({ principal_id: principal, password_hash: hash, changed_at: at, failed_count: 0, locked_until: null })
    .onConflict((oc) =>
      oc
        .column("principal_id")
        .doUpdateSet({ password_hash: hash, changed_at: at, failed_count: 0, locked_until: null }),
    )
    .execute()

/** Replaces a hash by one with the current parameters, leaving the time it was chosen. */
export const rehashCredentials = (db: Sql, principal: string, hash: string): Promise<unknown> =>
  db.updateTable("credentials").set({ password_hash: hash }).where("principal_id", "=", principal).execute()

/** Counts a failed sign-in; from `limit` failures on, locks until `lockUntil`. Returns the count. */
export const countFailure = (db: Sql, principal: string, limit: number, lockUntil: Date) =>
  db
    .updateTable("credentials")
    .set((eb) => ({
      failed_count: eb("failed_count", "+", 1),
      locked_until: eb
        .case()
        .when("failed_count", ">=", limit - 1)
        .then(lockUntil)
        .else(eb.ref("locked_until"))
        .end(),
    }))
    .where("principal_id", "=", principal)
    .returning(["failed_count", "locked_until"])
    .executeTakeFirst()

/**
 * Clears the failures after a right password, unless a lock was set since they were read
 * (concurrent wrong guesses): true when cleared, false when the person is locked now.
 */
export const clearFailures = (db: Sql, principal: string, at: Date): Promise<boolean> =>
  db
    .updateTable("credentials")
    .set({ failed_count: 0, locked_until: null })
    .where("principal_id", "=", principal)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", at)]))
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) > 0)

/** Stores a new session by the hash of its secret. */
export const insertSession = (
  db: Sql,
  session: {
    id: string
    principal: string
    at: Date
    idleExpiresAt: Date
    absoluteExpiresAt: Date
    userAgent: string | null
    address: string | null
  },
): Promise<unknown> =>
  db
    .insertInto("sessions")
    .values({
      id: session.id,
      principal_id: session.principal,
      created_at: session.at,
      last_seen_at: session.at,
      idle_expires_at: session.idleExpiresAt,
      absolute_expires_at: session.absoluteExpiresAt,
      user_agent: session.userAgent,
      address: session.address,
    })
    .execute()

/** A session with what authenticating it needs to know of its person, or undefined. */
export const selectSessionForAuthentication = (db: Sql, id: string) =>
  db
    .selectFrom("sessions")
    .innerJoin("principals", "principals.id", "sessions.principal_id")
    .select([
      "sessions.id as session_id",
      "sessions.last_seen_at",
      "sessions.idle_expires_at",
      "sessions.absolute_expires_at",
      "sessions.revoked_at",
      "principals.id",
      "principals.role",
      "principals.unit_key",
      "principals.disabled_at",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst()

/** Records a session's use and moves its idle expiry. */
export const touchSession = (db: Sql, id: string, at: Date, idleExpiresAt: Date): Promise<unknown> =>
  db.updateTable("sessions").set({ last_seen_at: at, idle_expires_at: idleExpiresAt }).where("id", "=", id).execute()

/** Revokes one session not yet revoked; its person when it was. */
export const revokeSession = (db: Sql, id: string, at: Date) =>
  db
    .updateTable("sessions")
    .set({ revoked_at: at })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .returning("principal_id")
    .executeTakeFirst()

/** Revokes every open session of a person, but `keep`; how many. */
export const revokeSessionsOf = (db: Sql, principal: string, at: Date, keep?: string) => {
  let q = db
    .updateTable("sessions")
    .set({ revoked_at: at })
    .where("principal_id", "=", principal)
    .where("revoked_at", "is", null)
  if (keep !== undefined) q = q.where("id", "<>", keep)
  return q.executeTakeFirst().then((result) => Number(result.numUpdatedRows))
}

/** A person's sessions still usable at `at`, newest first. */
export const selectOpenSessions = (db: Sql, principal: string, at: Date) =>
  db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "idle_expires_at", "absolute_expires_at", "user_agent", "address"])
    .where("principal_id", "=", principal)
    .where("revoked_at", "is", null)
    .where("idle_expires_at", ">", at)
    .where("absolute_expires_at", ">", at)
    .orderBy("created_at", "desc")
    .execute()

/** Appends to the people log. */
export const insertPeopleLog = (
  db: Sql,
  entry: { at: Date; actor: string; action: string; subject: string; detail: Record<string, unknown> },
): Promise<unknown> =>
  db
    .insertInto("people_log")
    .values({ ...entry, detail: JSON.stringify(entry.detail) })
    .execute()

/** An invitation still open at `at`, with its person, or undefined. */
export const selectOpenInvitation = (db: Sql, tokenHash: string, at: Date) =>
  db
    .selectFrom("invitations")
    .innerJoin("principals", "principals.id", "invitations.principal_id")
    .select(["invitations.id", "principals.id as principal", "principals.name", "principals.mobile"])
    .where("invitations.token_hash", "=", tokenHash)
    .where("invitations.used_at", "is", null)
    .where("invitations.revoked_at", "is", null)
    .where("invitations.expires_at", ">", at)
    .where("principals.disabled_at", "is", null)
    .executeTakeFirst()

/** A person's role and unit, for deciding who manages them. */
export const selectPersonRole = (db: Sql, id: string) =>
  db.selectFrom("principals").select(["id", "name", "role", "unit_key"]).where("id", "=", id).executeTakeFirst()

/**
 * People with their contact details and whether they have set a password: all of them, or
 * the unit contacts of units named by a campaign `coordinator` (an office key) coordinates.
 */
export const selectPeople = (db: Sql, scope: "all" | { readonly coordinator: string }) => {
  let q = db
    .selectFrom("principals")
    .leftJoin("credentials", "credentials.principal_id", "principals.id")
    .select([
      "principals.id",
      "principals.name",
      "principals.role",
      "principals.unit_key",
      "principals.mobile",
      "principals.email",
      "principals.disabled_at",
      "credentials.changed_at as password_set_at",
      "credentials.locked_until",
    ])
    .orderBy("principals.id")
  if (scope !== "all")
    q = q
      .where("principals.role", "=", "unit")
      .where((eb) =>
        eb(
          "principals.unit_key",
          "in",
          eb
            .selectFrom("units")
            .innerJoin("campaigns", "campaigns.id", "units.campaign_id")
            .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
            .select("units.key")
            .where(sql<SqlBool>`definitions.body->>'coordinator' = ${scope.coordinator}`),
        ),
      )
  return q.execute()
}

/** The people whose e-mail address is this one, ignoring case (at most two: more than one is ambiguous). */
export const selectPeopleByEmail = (db: Sql, email: string) =>
  db
    .selectFrom("principals")
    .select(["id", "disabled_at"])
    .where(sql<SqlBool>`lower(email) = lower(${email})`)
    .orderBy("id")
    .limit(2)
    .execute()

/** A person by id, for signing in through an identity provider. */
export const selectPersonById = (db: Sql, id: string) =>
  db.selectFrom("principals").select(["id", "disabled_at"]).where("id", "=", id).limit(1).execute()
