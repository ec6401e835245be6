/**
 * Every public name of the engine in one place, for the engine's own tests.
 * Apps import the subpath entries instead (package.json "exports"): commands,
 * reads, audit, worker and runtime; the database handle is exported only here.
 */

export { canRead, canSeeCampaign, manages, readableUnits } from "./Authz.ts"
/** Internals the engine's tests reach for. */
export { checkpointOf, writeCheckpoint } from "./audit/Checkpoint.ts"
export { loadEvidence, requireAuditor } from "./audit/Evidence.ts"
export { Db, query, transaction } from "./Db.ts"
export { type LoadedCampaign, loadCampaign } from "./Definitions.ts"
export * from "./entries/Audit.ts"
export * from "./entries/Commands.ts"
export * from "./entries/Reads.ts"
export * from "./entries/Runtime.ts"
export * from "./entries/Worker.ts"
export { writeSummary } from "./worker/Summary.ts"
