/** @liandong/engine — commands, authorization, the journal and the worker. */
export { type Actor, actorRole, loadActor, operator, type PrincipalRole, system } from "./Actor.ts"
export { canRead, canSeeCampaign, manages, readableUnits } from "./Authz.ts"
export { checkpointNow, exportCampaign, verifyCampaign, verifyExport } from "./audit/Audit.ts"
export {
  type Checkpoint,
  type CheckpointClaim,
  checkpointOf,
  checkpointSigned,
  claimText,
  writeCheckpoint,
} from "./audit/Checkpoint.ts"
export {
  loadEvidence,
  type Outside,
  readExport,
  readTrustedKeys,
  recordOf,
  requireAuditor,
  writeExport,
} from "./audit/Evidence.ts"
export { keyRing, listKeys, rotateKey } from "./audit/KeyRing.ts"
export { keyIdOf, publicKeyOf, type SigningKey, Signer, verifySignature } from "./audit/Signer.ts"
export { type Accountability, accountability, type TrailEntry, type TrailFilter, trail } from "./audit/Trail.ts"
export {
  type Evidence,
  type Finding,
  isMachineEvent,
  type JournalRecord,
  type KeyRecord,
  type MachineRecord,
  type StoredReport,
  type Verdict,
  verifyEvidence,
} from "./audit/Verify.ts"
export { Clock } from "./Clock.ts"
export { acknowledge } from "./commands/acknowledge.ts"
export { closePhase, startCampaign } from "./commands/campaign.ts"
export { type Deployed, deploy } from "./commands/deploy.ts"
export { approve, returnReport } from "./commands/review.ts"
export { ReportInput, submitReport } from "./commands/submitReport.ts"
export { Db, query, transaction } from "./Db.ts"
export { type LoadedCampaign, loadCampaign } from "./Definitions.ts"
export { addPrincipal, listPrincipals, PrincipalInput } from "./Directory.ts"
export * from "./Errors.ts"
export { workChannel } from "./FollowUps.ts"
export { claimRequest, completeRequest, expireRequests, type RequestClaim, releaseRequest } from "./Idempotency.ts"
export { hashedFields, rowHash } from "./JournalHash.ts"
export type { JournalContent, ReportContent, ReviewContent, SummaryContent } from "./JournalContent.ts"
export { clockLayer, dbLayer, engineLayer } from "./Layers.ts"
export { Log } from "./Log.ts"
export { listCampaigns, listReports, listTasks, type PhaseCell, statusTable, visibleCampaign } from "./Queries.ts"
export {
  campaignChange,
  campaignDetail,
  campaignHeads,
  liveHeads,
  pageCampaigns,
  statusMatrix,
} from "./reads/Campaigns.ts"
export { activeStates, graphOf, machineGraph } from "./reads/Machine.ts"
export type { Page, PageRequest } from "./reads/Page.ts"
export { describePrincipal } from "./reads/Principal.ts"
export { journalLines, listCheckpoints, pageJournal, verification } from "./reads/Record.ts"
export { pageReports, type ReportFilter, reportDetail } from "./reads/Reports.ts"
export { pageTasks, type TaskFilter, taskDetail } from "./reads/Tasks.ts"
export { totalsFor } from "./reads/Totals.ts"
export { pageUnits, visibleUnitKeys } from "./reads/Units.ts"
export { summaryFor } from "./Summary.ts"
export { authenticate, createToken, listTokens, revokeToken, Unauthenticated } from "./Tokens.ts"
export { writeSummary } from "./worker/summary.ts"
export { processNext, runUntilIdle, runWorker, type WorkerOptions, type WorkerTally } from "./worker/Worker.ts"
