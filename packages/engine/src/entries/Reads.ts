/** @liandong/engine/reads — what people read, in keyset pages filtered in SQL to what the actor may read. */

/** Principals (the operator and auditors) and tokens (the operator). */
export { listPrincipals } from "../Directory.ts"
/** A person's in-app notices; a campaign's deliveries for its coordinator and auditors. */
export { campaignDeliveries, myNotices } from "../notices/Inbox.ts"
/** A person's own notice preferences (the defaults when never set). */
export { myPreferences, type Preferences } from "../notices/Preferences.ts"
/** A campaign's webhooks and group robots, without their secrets, for its coordinator and auditors. */
export { listWebhooks, type WebhookView } from "../notices/Webhooks.ts"
/** A person's open sessions (the person, or whoever manages them); the people an actor manages. */
export { listPeople, listSessions } from "../people/People.ts"
/** Campaigns: a page, one in outline, the status matrix, what changed, the heads live views poll. */
export {
  campaignChange,
  campaignDetail,
  campaignHeads,
  liveHeads,
  pageCampaigns,
  statusMatrix,
} from "../reads/Campaigns.ts"
/** A machine as a graph, and the states a snapshot is in. */
export { activeStates, graphOf, machineGraph } from "../reads/Machine.ts"
/** How a page is asked for and what it holds. */
export type { Page, PageRequest } from "../reads/Page.ts"
/** The principal behind an actor (`/me`). */
export { describePrincipal } from "../reads/Principal.ts"
/** The journal since a position, as structured progress entries. */
export { type ProgressEntry, progressSince, statePaths } from "../reads/Progress.ts"
/** The journal in pages, checkpoints, the journal as JSON Lines, the verification verdict. */
export { journalLines, listCheckpoints, pageJournal, verification } from "../reads/Record.ts"
/** Reports: a page, one with its attempts and history, one of its files (佐证材料). */
export { pageReports, type ReportFilter, reportAttachment, reportDetail } from "../reads/Reports.ts"
/** A campaign the actor may see (or not found), and per campaign the units it may read. */
export { visibleCampaign } from "../reads/Scope.ts"
/** The units × phases table: paged for the CLI, whole for the API's matrix. */
export {
  daysOverdue,
  laggardWindowMs,
  type PhaseCell,
  type PhaseTally,
  pageStatus,
  statusTable,
  type TaskStage,
  taskStages,
} from "../reads/Status.ts"
/** Tasks: a page, one with what its report must hold. */
export { pageTasks, type TaskFilter, taskDetail } from "../reads/Tasks.ts"
/** Figure totals from approved reports. */
export { totalsFor } from "../reads/Totals.ts"
/** Units: a page, and per campaign the units the actor may see. */
export { pageUnits, visibleUnitKeys } from "../reads/Units.ts"
/** The campaign's workbook (.xlsx): progress, figures by unit and level, every report. */
export { campaignWorkbook } from "../reads/Workbook.ts"
/** The consolidated summary, stored or drafted. */
export { summaryFor } from "../Summary.ts"
export { listTokens } from "../Tokens.ts"
