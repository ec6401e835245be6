/** @liandong/store — the database: schema types, migrations, PGlite and PostgreSQL behind one Kysely dialect. */

/** The Kysely table types (`Database`) and row types (`JournalRow`, `MachineRow`…). */
export type * from "./Database.ts"
/** A data folder another process (or another open store) holds, and who holds it. */
export { DataFolderInUse, type FolderHolder } from "./internal/FolderLock.ts"
/**
 * PostgreSQL's refusal of a prepared statement whose result type a migration changed (worth a
 * retry); the mark that keeps a statement from being prepared.
 */
export { genericPlan, isStalePlan, plannedEachTime, thenCommit } from "./internal/PreparedStatements.ts"
/** Brings a database's schema up to date. */
export { migrateToLatest } from "./Migrate.ts"
/** Every migration by name, for Kysely's Migrator. */
export { migrations } from "./migrations/index.ts"
/** Opens a store. */
export { openStore } from "./Open.ts"
/** The application role's rights, table by table, and the command that grants exactly those. */
export {
  type AppRoleOptions,
  type AppRoleResult,
  appFunctionPrivileges,
  applyAppPrivileges,
  appTablePrivileges,
  grantText,
  PrivilegeError,
  reportReviewColumns,
  scramVerifier,
  type TableGrant,
} from "./Privileges.ts"
/** The environment's choice of database (DATABASE_URL, the separate DATABASE_* settings, `_FILE` secrets). */
export { checkDatabaseUrl, SettingInvalid, settingOrFile, storeOptionsFromEnv } from "./Settings.ts"
/** `Store` and `StoreOptions` describe a store; whether it is PostgreSQL; the default data folder. */
export {
  defaultDataDir,
  isPostgres,
  type PostgresConnection,
  type Store,
  type StoreOptions,
} from "./Store.ts"
