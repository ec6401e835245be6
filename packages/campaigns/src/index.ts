/** @liandong/campaigns — example campaigns, including the demo's, and the scripts that play them. */
export { default as tour } from "./examples/Tour.ts"
export { greenBookmark, greenBookmarkScript } from "./GreenBookmark.ts"
export { countyBureaus, ipWeek, memberUnits } from "./IpWeek.ts"
export { ipWeekExpectedTotals, ipWeekScript } from "./IpWeekScript.ts"
export { acks, approvals, type CampaignScript, type ScriptAction, type ScriptStep } from "./Script.ts"
