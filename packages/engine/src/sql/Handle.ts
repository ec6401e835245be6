/** The handle every statement runs on, apart from `Db.ts` so that statements `Db.ts` runs itself need not import it. */
import type { Database } from "@liandong/store"
import type { Kysely, Transaction } from "kysely"

/** A Kysely handle: the pool, or a transaction in progress. */
export type Sql = Kysely<Database> | Transaction<Database>
