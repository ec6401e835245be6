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
export * from "./entries/audit.ts"
export * from "./entries/commands.ts"
export * from "./entries/reads.ts"
export * from "./entries/runtime.ts"
export * from "./entries/worker.ts"
export { writeSummary } from "./worker/summary.ts"
