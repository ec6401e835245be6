/**
 * What the application role (API servers and workers) may do, table by table: the one
 * place those rights are decided. `applyAppPrivileges` turns this matrix into GRANT
 * statements after revoking everything else, so the role holds exactly what is listed:
 * no ownership, no TRUNCATE, TRIGGER or REFERENCES, no ALTER (only an owner can), no
 * UPDATE or DELETE on the record (journal, checkpoints, report content, figures and files).
 * Migrations and this command run as the schema's owner; the app role owns nothing.
 * A superuser (a DBA) can still do anything: signed checkpoints kept outside the
 * database are what catch that.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto"
import { type Kysely, sql, type Transaction } from "kysely"
import pg from "pg"

/** The rights on one table; `why` says in one line why the application needs them. */
export interface TableGrant {
  readonly select?: true
  readonly insert?: true
  /** true: whole rows; a list: only these columns */
  readonly update?: true | ReadonlyArray<string>
  readonly delete?: true
  readonly why: string
}

/** The columns of `reports` a review sets; everything else about a report is fixed when submitted. */
export const reportReviewColumns = ["status", "reviewed_by", "reviewed_at", "return_reason", "review_comment"] as const

const all = { select: true, insert: true, update: true, delete: true } as const

/**
 * Every table of the schema, with the application role's rights. A table missing here
 * makes `applyAppPrivileges` (and a test) fail, so a new table cannot be forgotten.
 * Tables listed but not (yet) in the schema are skipped.
 */
export const appTablePrivileges: Readonly<Record<string, TableGrant>> = {
  units: { ...all, why: "a deploy writes and replaces its own campaign's units" },
  principals: {
    select: true,
    insert: true,
    update: true,
    why: "the operator adds and updates principals; never deleted, the journal names them",
  },
  definitions: {
    select: true,
    insert: true,
    why: "every deployed version is kept as it was deployed (append-only by trigger)",
  },
  campaigns: {
    select: true,
    insert: true,
    update: true,
    why: "status and the journal head move with every event (journal_append runs with the caller's rights)",
  },
  machines: { ...all, why: "snapshots change with each event; redeploying an unstarted campaign replaces them" },
  tasks: { ...all, why: "the read model written with each snapshot; replaced with the machines on redeploy" },
  journal: { select: true, insert: true, why: "append-only: rows are added through journal_append, never changed" },
  timers: { ...all, why: "the worker's queue: claimed (FOR UPDATE), marked done or cancelled, dropped on redeploy" },
  messages: { ...all, why: "the worker's queue: claimed (FOR UPDATE), marked done, dropped on redeploy" },
  reports: {
    select: true,
    insert: true,
    update: reportReviewColumns,
    why: "a submission is written once; a review sets only its decision, reviewer, time, reason and comment",
  },
  report_figures: { select: true, insert: true, why: "figures are written with their report and never change" },
  attachment_contents: {
    select: true,
    insert: true,
    why: "a file's bytes, kept once by SHA-256 when first uploaded; never changed (append-only by trigger)",
  },
  attachments: {
    select: true,
    insert: true,
    why: "each upload for a unit's task, written once; an unused upload is left, not deleted",
  },
  report_attachments: {
    select: true,
    insert: true,
    why: "the files a report names, written with the report and never changed",
  },
  command_results: {
    ...all,
    why: "idempotency records: claimed, completed or released; expired request records deleted",
  },
  notifications: {
    select: true,
    insert: true,
    update: ["expanded_at"],
    why: "the outbox: written by steps, read by units, marked once fanned out to people",
  },
  deliveries: {
    select: true,
    insert: true,
    update: ["status", "attempts", "next_attempt_at", "last_error", "sent_at", "read_at"],
    why: "a notice per person and channel: its attempts and outcome, and when it was read",
  },
  notice_preferences: {
    select: true,
    insert: true,
    update: ["muted_kinds", "quiet_from", "quiet_to", "time_zone", "updated_at"],
    why: "a person's own notice preferences: set and changed by them, read when notices are fanned out",
  },
  webhooks: {
    select: true,
    insert: true,
    update: ["removed_by", "removed_at"],
    why: "a campaign's endpoints: registered once, then only marked removed; kept, deliveries name them",
  },
  summaries: { select: true, insert: true, why: "every version of a summary is kept" },
  checkpoints: { select: true, insert: true, why: "signed journal heads: added, never changed" },
  tokens: {
    select: true,
    insert: true,
    update: true,
    why: "created, revoked and stamped with their last use; kept after revocation",
  },
  signing_keys: {
    select: true,
    insert: true,
    update: ["valid_until"],
    why: "the key ring: a key is recorded once and retired once",
  },
  denials: {
    select: true,
    insert: true,
    update: true,
    why: "refused attempts, counted per window (the count of the current window goes up)",
  },
  credentials: {
    select: true,
    insert: true,
    update: ["password_hash", "changed_at", "failed_count", "locked_until"],
    why: "a password set, changed or rehashed; failures counted and the lock set; never deleted",
  },
  invitations: {
    select: true,
    insert: true,
    update: ["used_at", "revoked_at"],
    why: "an invitation is written once, then used once or revoked; kept as the record of who invited whom",
  },
  sessions: {
    select: true,
    insert: true,
    update: ["last_seen_at", "idle_expires_at", "revoked_at"],
    why: "a session is touched while in use and revoked at sign-out; kept, never rewritten",
  },
  people_log: { select: true, insert: true, why: "append-only: invitations, sign-ins, sign-outs, refusals" },
  second_factors: {
    select: true,
    insert: true,
    update: ["secret", "created_at", "confirmed_at", "last_step"],
    delete: true,
    why: "a TOTP secret enrolled, confirmed, its last step moved on at each code; deleted when the person turns it off",
  },
  recovery_codes: {
    select: true,
    insert: true,
    update: ["used_at"],
    delete: true,
    why: "recovery codes issued at confirmation, each used once; replaced or deleted with the second factor",
  },
  kysely_migration: { why: "only `db migrate` reads and writes it, as the owner" },
  kysely_migration_lock: { why: "only `db migrate` takes it, as the owner" },
}

/** Functions the application calls, with why; trigger functions need no grant (they run as part of the statement). */
export const appFunctionPrivileges: Readonly<Record<string, string>> = {
  journal_append: "appends a campaign's journal rows under its head lock, hash-chained",
  liandong_rows: "a statement's rows from its JSON parameter, estimated as few (plans by index)",
  liandong_steps_as_begun: "refuses a statement whose steps met machines or reports not as they began",
}

/** A refusal, in both languages. */
export class PrivilegeError extends Error {
  readonly zh: string
  readonly en: string
  constructor(zh: string, en: string) {
    super(`${zh} / ${en}`)
    this.name = "PrivilegeError"
    this.zh = zh
    this.en = en
  }
}

/** What `applyAppPrivileges` is asked to do. */
export interface AppRoleOptions {
  /** The application role's name (a plain lowercase identifier). */
  readonly role: string
  /**
   * Its password: creates the role with it, or sets it on an existing role. Both need a
   * superuser or CREATEROLE; without a password an existing role only gets its grants.
   */
  readonly password?: string | undefined
}

/** What was done. */
export interface AppRoleResult {
  readonly role: string
  readonly schema: string
  readonly created: boolean
  readonly passwordSet: boolean
  /** Table → the privileges granted, as SQL (e.g. `SELECT, INSERT, UPDATE (valid_until)`); empty for none. */
  readonly tables: Readonly<Record<string, string>>
  readonly sequences: ReadonlyArray<string>
  readonly functions: ReadonlyArray<string>
  /** Tables of the matrix this schema does not have. */
  readonly absent: ReadonlyArray<string>
}

const roleName = /^[a-z_][a-z0-9_]{0,62}$/

/** The privileges of one grant, as SQL, for reports and tests. */
export const grantText = (grant: TableGrant): string => {
  const parts: string[] = []
  if (grant.select) parts.push("SELECT")
  if (grant.insert) parts.push("INSERT")
  if (grant.update === true) parts.push("UPDATE")
  else if (grant.update !== undefined) parts.push(`UPDATE (${grant.update.join(", ")})`)
  if (grant.delete) parts.push("DELETE")
  return parts.join(", ")
}

// RFC 3454 table B.1: characters SASLprep maps to nothing.
const mappedToNothing = new Set([0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200c, 0x200d, 0x2060, 0xfeff])

// SASLprep as PostgreSQL and node-postgres apply it (mappings and NFKC; no prohibition checks).
const saslprep = (password: string) =>
  Array.from(password.replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, " "))
    .filter((ch) => {
      const code = ch.codePointAt(0) ?? 0
      return !mappedToNothing.has(code) && !(code >= 0xfe00 && code <= 0xfe0f)
    })
    .join("")
    .normalize("NFKC")

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password`: sent instead of the
 * password itself, which then never reaches the server's logs or statistics.
 */
export const scramVerifier = (password: string, salt: Buffer = randomBytes(16), iterations = 4096): string => {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, "sha256")
  const clientKey = createHmac("sha256", salted).update("Client Key").digest()
  const storedKey = createHash("sha256").update(clientKey).digest()
  const serverKey = createHmac("sha256", salted).update("Server Key").digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`
}

const id = (name: string) => pg.escapeIdentifier(name)
const run = (tx: Transaction<any>, statement: string) => sql.raw(statement).execute(tx)

/**
 * Creates or updates the application role and gives it exactly the matrix's rights on the
 * current schema, in one transaction. Run as the schema's owner (or a superuser). Refuses
 * when the role would be more than an application role: a superuser or one with other
 * attributes, a member of another role, the owner of anything, or the role running this;
 * and when the schema has a table or function the matrix does not cover.
 */
export const applyAppPrivileges = (db: Kysely<any>, options: AppRoleOptions): Promise<AppRoleResult> =>
  db.transaction().execute(async (tx) => {
    const role = options.role
    const secret = options.password === "" ? undefined : options.password
    if (!roleName.test(role))
      throw new PrivilegeError(
        `角色名“${role}”无效:须为小写字母、数字和下划线,以字母或下划线开头`,
        `invalid role name "${role}": lowercase letters, digits and underscores, not starting with a digit`,
      )
    const self = (
      await sql<{ user: string; schema: string | null; manager: boolean }>`
        select current_user as user, current_schema() as schema,
          (rolsuper or rolcreaterole) as manager
        from pg_roles where rolname = current_user`.execute(tx)
    ).rows[0]
    if (self === undefined || self.schema === null)
      throw new PrivilegeError("找不到当前模式", "no current schema (check search_path)")
    const schema = self.schema
    if (role === self.user)
      throw new PrivilegeError(
        `应用角色不能是执行本命令的角色(${role});请以模式所有者身份运行`,
        `the application role cannot be the role running this (${role}); run it as the schema's owner`,
      )

    // The role itself: created or updated when we may, checked when we may not.
    const existing = (
      await sql<{ oid: number; unsafe: boolean }>`
        select oid, (rolsuper or rolcreatedb or rolcreaterole or rolreplication or rolbypassrls) as unsafe
        from pg_roles where rolname = ${role}`.execute(tx)
    ).rows[0]
    const attributes = "login nosuperuser nocreatedb nocreaterole noreplication nobypassrls"
    const password = secret === undefined ? "" : ` password ${pg.escapeLiteral(scramVerifier(secret))}`
    let created = false
    if (existing === undefined) {
      if (secret === undefined)
        throw new PrivilegeError(
          `角色 ${role} 不存在;请提供其密码(LIANDONG_APP_PASSWORD 或 --password-file)以创建它`,
          `role ${role} does not exist; give its password (LIANDONG_APP_PASSWORD or --password-file) to create it`,
        )
      if (!self.manager)
        throw new PrivilegeError(
          `${self.user} 无权创建角色;请由 DBA 执行 create role ${role} login password '…',然后再运行本命令`,
          `${self.user} may not create roles; have a DBA run create role ${role} login password '…', then run this again`,
        )
      await run(tx, `create role ${id(role)} ${attributes}${password}`)
      created = true
    } else if (self.manager) {
      await run(tx, `alter role ${id(role)} ${attributes}${password}`)
    } else if (secret !== undefined) {
      throw new PrivilegeError(
        `${self.user} 无权修改角色 ${role} 的密码;请由 DBA 修改,或不提供密码只授予权限`,
        `${self.user} may not change the password of ${role}; have a DBA do it, or give no password to grant only`,
      )
    } else if (existing.unsafe) {
      throw new PrivilegeError(
        `角色 ${role} 具有超级用户、创建库、创建角色、复制或绕过行级安全等属性;请由 DBA 去除`,
        `role ${role} has superuser, createdb, createrole, replication or bypassrls; have a DBA remove them`,
      )
    }

    // Nothing else may reach it: no memberships (it would inherit their rights), no ownership.
    const memberOf = (
      await sql<{ name: string }>`
        select g.rolname as name from pg_auth_members m
        join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
        where r.rolname = ${role} order by 1`.execute(tx)
    ).rows.map((r) => r.name)
    if (memberOf.length > 0)
      throw new PrivilegeError(
        `角色 ${role} 是其他角色的成员(${memberOf.join(", ")}),会继承其权限;请先撤销`,
        `role ${role} is a member of ${memberOf.join(", ")} and would inherit their rights; revoke that first`,
      )
    const owned = (
      await sql<{ object: string }>`
        select pg_describe_object(d.classid, d.objid, d.objsubid) as object
        from pg_shdepend d join pg_roles r on r.oid = d.refobjid
        where r.rolname = ${role} and d.deptype = 'o'
          and d.dbid in (0, (select oid from pg_database where datname = current_database()))
        order by 1`.execute(tx)
    ).rows.map((r) => r.object)
    if (owned.length > 0)
      throw new PrivilegeError(
        `角色 ${role} 拥有对象(${owned.join(", ")});应用角色不得拥有任何对象,请用 reassign owned 交给所有者`,
        `role ${role} owns ${owned.join(", ")}; the application role must own nothing (reassign owned to the owner)`,
      )

    // The schema's objects, extensions' own left alone; every one must be in the matrix.
    const tables = (
      await sql<{ name: string }>`
        select c.relname as name from pg_class c
        where c.relnamespace = (select oid from pg_namespace where nspname = ${schema}) and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and not exists (select from pg_depend e where e.objid = c.oid and e.deptype = 'e')
        order by 1`.execute(tx)
    ).rows.map((r) => r.name)
    const functions = (
      await sql<{ name: string; signature: string; trigger: boolean }>`
        select p.proname as name, p.oid::regprocedure::text as signature,
          p.prorettype = 'trigger'::regtype as trigger
        from pg_proc p
        where p.pronamespace = (select oid from pg_namespace where nspname = ${schema})
          and not exists (select from pg_depend e where e.objid = p.oid and e.deptype = 'e')
        order by 1`.execute(tx)
    ).rows
    const unknownTables = tables.filter((t) => !Object.hasOwn(appTablePrivileges, t))
    const unknownFunctions = functions.filter((f) => !f.trigger && !Object.hasOwn(appFunctionPrivileges, f.name))
    if (unknownTables.length > 0 || unknownFunctions.length > 0) {
      const names = [...unknownTables, ...unknownFunctions.map((f) => f.signature)].join(", ")
      throw new PrivilegeError(
        `权限表(packages/store/src/Privileges.ts)未列出:${names};请先补上再运行`,
        `not in the privilege matrix (packages/store/src/Privileges.ts): ${names}; add them first`,
      )
    }
    const sequences = (
      await sql<{ name: string; table: string }>`
        select s.oid::regclass::text as name, t.relname as table
        from pg_class s
        join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
          and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
        join pg_class t on t.oid = d.refobjid
        where s.relkind = 'S' and s.relnamespace = (select oid from pg_namespace where nspname = ${schema})
        order by 1`.execute(tx)
    ).rows

    // Start from nothing, for PUBLIC and for the role; then grant the matrix.
    const app = id(role)
    const ns = id(schema)
    // CONNECT explicitly, so a DBA may revoke it from PUBLIC; only the database's owner can grant it.
    const database = (
      await sql<{ name: string; owner: boolean }>`
        select current_database() as name,
          (select rolsuper from pg_roles where rolname = current_user) or pg_has_role(datdba, 'member') as owner
        from pg_database where datname = current_database()`.execute(tx)
    ).rows[0]!
    if (database.owner) await run(tx, `grant connect on database ${id(database.name)} to ${app}`)
    await run(tx, `revoke create on schema ${ns} from public`)
    await run(tx, `revoke all on schema ${ns} from ${app}`)
    await run(tx, `grant usage on schema ${ns} to ${app}`)
    await run(tx, `revoke all on all tables in schema ${ns} from public, ${app}`)
    await run(tx, `revoke all on all sequences in schema ${ns} from public, ${app}`)
    await run(tx, `revoke all on all functions in schema ${ns} from public, ${app}`)
    const granted: Record<string, string> = {}
    for (const table of tables) {
      const grant = appTablePrivileges[table]!
      const target = `${ns}.${id(table)}`
      const whole = [
        grant.select && "select",
        grant.insert && "insert",
        grant.update === true && "update",
        grant.delete && "delete",
      ].filter((p): p is string => typeof p === "string")
      if (whole.length > 0) await run(tx, `grant ${whole.join(", ")} on ${target} to ${app}`)
      if (Array.isArray(grant.update))
        await run(tx, `grant update (${grant.update.map(id).join(", ")}) on ${target} to ${app}`)
      granted[table] = grantText(grant)
    }
    // A serial or identity column's sequence, for the tables the role inserts into.
    const usable = sequences.filter((s) => appTablePrivileges[s.table]?.insert === true).map((s) => s.name)
    for (const sequence of usable) await run(tx, `grant usage on sequence ${sequence} to ${app}`)
    const callable = functions.filter((f) => !f.trigger && Object.hasOwn(appFunctionPrivileges, f.name))
    for (const fn of callable) await run(tx, `grant execute on function ${fn.signature} to ${app}`)

    return {
      role,
      schema,
      created,
      passwordSet: secret !== undefined,
      tables: granted,
      sequences: usable,
      functions: callable.map((f) => f.signature),
      absent: Object.keys(appTablePrivileges).filter((t) => !tables.includes(t)),
    }
  })
