/** Savepoints: a step of a transaction whose writes can be undone without undoing the transaction. */
import { sql } from "kysely"
import type { Sql } from "../Db.ts"

/** Takes the savepoint `name`. */
export const savepoint = (db: Sql, name: string) => sql`savepoint ${sql.id(name)}`.execute(db)

/** Releases the savepoint `name`, keeping what was written since. */
export const releaseSavepoint = (db: Sql, name: string) => sql`release savepoint ${sql.id(name)}`.execute(db)

/** Undoes everything written since the savepoint `name`. */
export const rollbackToSavepoint = (db: Sql, name: string) => sql`rollback to savepoint ${sql.id(name)}`.execute(db)
