/** @liandong/store — the database: schema types, migrations, PGlite and PostgreSQL. */
export type * from "./Database.ts"
export { migrateToLatest } from "./Migrate.ts"
export { migrations } from "./migrations/index.ts"
export { openStore, type Store, type StoreOptions, storeOptionsFromEnv } from "./Store.ts"
