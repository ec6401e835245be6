/** @liandong/campaigns — example campaigns, including the demo's, and the scripts that play them. */
export { default as tour } from "./examples/tour.ts"
export { greenBookmark, greenBookmarkScript } from "./greenBookmark.ts"
export { countyBureaus, ipWeek, memberUnits } from "./ipWeek.ts"
export { ipWeekExpectedTotals, ipWeekScript } from "./ipWeekScript.ts"
export { acks, approvals, type CampaignScript, type ScriptAction, type ScriptStep } from "./Script.ts"
