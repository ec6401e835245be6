/**
 * Every public name of the engine in one place, for the engine's own tests;
 * besides the subpath entries it holds internals those tests reach for (the
 * Db service, loadEvidence, writeSummary…). Apps import the subpath entries
 * instead (package.json "exports": commands, reads, audit, worker, runtime),
 * which hold no database handle.
 */

export { canRead, canSeeCampaign, manages, readableUnits } from "./Authz.ts"
export { checkpointOf, writeCheckpoint } from "./audit/Checkpoint.ts"
export { loadEvidence, requireAuditor } from "./audit/Evidence.ts"
export { Db, query, transaction } from "./Db.ts"
export { type LoadedCampaign, loadCampaign } from "./Definitions.ts"
export * from "./entries/Audit.ts"
export * from "./entries/Commands.ts"
export * from "./entries/Reads.ts"
export * from "./entries/Runtime.ts"
export * from "./entries/Worker.ts"
export * from "./notices/Signature.ts"
export { writeSummary } from "./worker/Summary.ts"
