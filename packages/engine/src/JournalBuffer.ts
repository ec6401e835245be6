/**
 * The journal rows a transaction has queued and not yet written: pure, no I/O. A
 * transaction carries one (`Tx.journal`); a savepoint marks it and, if rolled back,
 * returns it to the mark, so what the rollback undid is queued again or forgotten.
 */
import type { HashedFields } from "./JournalHash.ts"

/** A journal row but for its place in the chain: sequence number and recording time. */
export type PendingRow = Omit<HashedFields, "seq" | "recorded_at">

/** The rows a transaction queued, and how many of them are written. */
export interface JournalBuffer {
  readonly rows: PendingRow[]
  written: number
}

/** Where a buffer stands: what a savepoint rolls back to. */
export interface JournalMark {
  readonly queued: number
  readonly written: number
}

/** An empty buffer, for a new transaction. */
export const emptyJournal = (): JournalBuffer => ({ rows: [], written: 0 })

/** Queues a row behind those already queued. */
export const queueRow = (buffer: JournalBuffer, row: PendingRow): void => {
  buffer.rows.push(row)
}

/** The rows queued and not yet written, in the order queued. */
export const pendingRows = (buffer: JournalBuffer): ReadonlyArray<PendingRow> => buffer.rows.slice(buffer.written)

/** Records that every queued row is written. */
export const markWritten = (buffer: JournalBuffer): void => {
  buffer.written = buffer.rows.length
}

/** The buffer's mark now. */
export const markOf = (buffer: JournalBuffer): JournalMark => ({ queued: buffer.rows.length, written: buffer.written })

/**
 * Returns the buffer to `mark` after a rollback to its savepoint: rows queued since are
 * forgotten, and rows written since (the rollback undid them) are pending again.
 */
export const rollbackTo = (buffer: JournalBuffer, mark: JournalMark): void => {
  buffer.rows.length = Math.min(buffer.rows.length, mark.queued)
  buffer.written = Math.min(buffer.written, mark.written)
}
