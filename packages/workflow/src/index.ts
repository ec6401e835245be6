/** @liandong/workflow — the campaign definition language and its pure machines. */
export { campaignHash, canonicalJson, sha256Hex } from "./Canonical.ts"
export {
  addUnit,
  type ChangeItem,
  type ChangePlan,
  changeText,
  extendDeadline,
  migrateCampaignSnapshot,
  migrateUnitSnapshot,
  planChange,
  type Refusal,
  type RunningState,
  takesPart,
  withdrawUnit,
} from "./Change.ts"
export { campaignWarnings } from "./Checks.ts"
export { addDecimal, compareDecimal, decimal } from "./Decimal.ts"
export * from "./Definition.ts"
export { childUnits, isAtOrBelow, listsAtOrBelow, unitAndSubordinates, unitOf } from "./Hierarchy.ts"
export { isListed } from "./Listed.ts"
export { buildCampaignMachine, type CampaignContext, gateHolds, type PhaseContext } from "./machines/CampaignMachine.ts"
export { type AnyEvent, eventLabels, type FollowUp, type MachineEvent, phaseDoneKey } from "./machines/Events.ts"
export { type EventRejected, explainRejection, taskAccepts, taskStateLabels } from "./machines/Rejection.ts"
export { apply, type Compiled, compile, initial, restore, type Step, stateText } from "./machines/Runtime.ts"
export { buildUnitMachine, type TaskContext, type UnitContext, unitTasks } from "./machines/UnitMachine.ts"
export { type CampaignView, campaignView, type TaskView, type UnitView, unitView } from "./machines/Views.ts"
export {
  DefinitionError,
  decodeCampaign,
  defaultNarrative,
  defineCampaign,
  normalizeCampaign,
  validateCampaign,
} from "./Normalize.ts"
export { formatPath, formatProblems, issueProblems, type Problem } from "./Problem.ts"
export { canonicalDecimal, figureDecimal, type ValidReport, validateReport } from "./Report.ts"
export { type ApprovedFigures, type FigureSum, type LevelTotals, type RolledUp, rollUp } from "./RollUp.ts"
export {
  type Comparison,
  checkRules,
  type Operator,
  parseComparison,
  type Rule,
  type RuleLabels,
  ruleOf,
  type Term,
} from "./Rules.ts"
export { durationMs, isTimeZone, resolveTime, wallClockAt, wholeDayEnding } from "./Time.ts"
