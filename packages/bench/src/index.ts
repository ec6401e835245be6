/** @liandong/bench — the national-scale benchmark: generator, load driver, measurements, the peer. */
export { type BenchOptions, type BenchResult, runBench } from "./Bench.ts"
export { calendar, campaignKey, nationalCampaign } from "./Campaign.ts"
export { generateNation, type NationUnit, nationalKey, provinces, shapeFor } from "./Nation.ts"
export { derive, type Random, random } from "./Random.ts"
export { type Action, mix, phaseScript } from "./Script.ts"
export { table } from "./Table.ts"
export { judge, type Verdict } from "./Targets.ts"
