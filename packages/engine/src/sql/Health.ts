/** The database's health statement. */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Asks the database for the simplest answer it can give. */
export const selectOne = (db: Sql): Promise<unknown> => sql`select 1`.execute(db)
