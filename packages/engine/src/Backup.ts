/**
 * What a backup and a restore ask of the database through the engine: the facts a
 * manifest records (schema version, each campaign's journal length and head, the key
 * ring), read in the very snapshot pg_dump copies, so the manifest describes the dump
 * even while workers write; and what a database to restore into already holds.
 */
import { migrations } from "@liandong/store"
import { Effect } from "effect"
import { keyRing } from "./audit/KeyRing.ts"
import { query, type Sql, type Tx, transaction } from "./Db.ts"
import {
  checkpointFiles,
  exportSnapshot,
  selectJournalHeads,
  selectSchemaObjects,
  selectSchemaVersion,
  selectServerVersion,
} from "./sql/Backup.ts"
import { readOneSnapshot } from "./sql/Evidence.ts"

/** What a manifest says of a database. */
export interface DatabaseFacts {
  /** the newest migration applied (null: none) */
  readonly schemaVersion: string | null
  readonly serverVersion: string
  readonly campaigns: ReadonlyArray<{
    readonly id: string
    readonly status: string
    readonly journalLength: number
    readonly journalHead: string | null
  }>
  readonly keys: ReadonlyArray<{
    readonly keyId: string
    readonly validFrom: string
    readonly validUntil: string | null
  }>
}

/** Every migration this release knows, oldest first: a backup's schema version must be one of them. */
export const schemaVersions: ReadonlyArray<string> = Object.keys(migrations)

const factsOf = (on?: Sql | Tx) =>
  Effect.gen(function* () {
    const schemaVersion = yield* query("backup.schema", selectSchemaVersion, on)
    const serverVersion = yield* query("backup.server", selectServerVersion, on)
    if (schemaVersion === null) return { schemaVersion, serverVersion, campaigns: [], keys: [] } as DatabaseFacts
    const heads = yield* query("backup.heads", selectJournalHeads, on)
    const ring = yield* keyRing(on)
    return {
      schemaVersion,
      serverVersion,
      campaigns: heads.map((row) => ({
        id: row.id,
        status: row.status,
        journalLength: row.journal_seq,
        journalHead: row.journal_head,
      })),
      keys: ring.map((key) => ({ keyId: key.keyId, validFrom: key.validFrom, validUntil: key.validUntil })),
    } satisfies DatabaseFacts
  })

/** The facts of the database as it stands. */
export const databaseFacts = factsOf()

/**
 * Runs `body` while a read-only, repeatable-read transaction holds an exported snapshot
 * (PostgreSQL only): `body` gets the snapshot's id, for `pg_dump --snapshot`, and the
 * facts as that snapshot shows them.
 */
export const withExportedSnapshot = <A, E, R>(
  body: (snapshot: string, facts: DatabaseFacts) => Effect.Effect<A, E, R>,
) =>
  transaction("backup.snapshot", (tx) =>
    Effect.gen(function* () {
      yield* query("backup.isolation", readOneSnapshot, tx)
      const snapshot = yield* query("backup.export", exportSnapshot, tx)
      return yield* body(snapshot, yield* factsOf(tx))
    }),
  )

/** The tables, sequences and functions already in the database's schema: a restore needs none. */
export const schemaObjects = query("backup.objects", selectSchemaObjects)

/** Writes every changed page to the data files; the embedded folder is then whole on disk while this process holds it. */
export const checkpointDatabase = query("backup.checkpoint", checkpointFiles)
