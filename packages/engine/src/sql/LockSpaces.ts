/** The key spaces of the advisory locks workers and commands take on machines (the first key). */
import { sql } from "kysely"

/**
 * The advisory locks a worker's batch holds on its claimed items' machines (`claimBatch`), in a
 * key space of their own (the first key; the second is the machine's id): a look passes by the
 * items of a machine in another worker's batch without a write, so a worker woken with another
 * for the same work does not open a transaction to find it taken.
 */
export const claimLockSpace = 1818

/**
 * The advisory locks a command's transaction holds on the campaign machines it locked for their
 * fan-in (`lockFanIn`), until it ends: a look passes by the counts queued there as it passes by
 * a batch's, since a claim would skip the machine's row and find nothing. Only looks test them;
 * a claim never waits for one.
 */
export const fanInLockSpace = 1819

/** The second key of a machine's advisory lock: its id in the 32-bit range. */
export const machineLockKey = (column: string) => sql.raw(`(${column} % 2147483647)::int`)
