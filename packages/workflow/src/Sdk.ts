/**
 * The SDK's runtime entry: what a campaign written outside this repository may import from
 * `@liandong/workflow`. `packages/workflow/build-sdk.ts` bundles it, Effect inlined, into one
 * ES module; its declarations are `packages/workflow/sdk/index.d.ts`, plain TypeScript that
 * needs no other package (test/sdk-types.test.ts holds them equal to these functions' types).
 * `decodeCampaign` is left out: it answers an Effect, and `validateCampaign` is the same check.
 */
export { campaignHash, canonicalJson } from "./Canonical.ts"
export { campaignWarnings } from "./Checks.ts"
export { unitRoleLabels } from "./Definition.ts"
export { DefinitionError, defaultNarrative, defineCampaign, normalizeCampaign, validateCampaign } from "./Normalize.ts"
export { formatProblems } from "./Problem.ts"
export { validateReport } from "./Report.ts"
export { checkRules, parseComparison, ruleOf } from "./Rules.ts"
