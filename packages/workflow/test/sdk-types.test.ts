/**
 * The SDK's declarations (sdk/index.d.ts, written by hand so that they need no Effect) are
 * held to the code they describe: the authoring shape equals the schema's Encoded type, the
 * normalized shapes equal the source's, and every function of the bundled entry (src/Sdk.ts)
 * has the declared type. `pnpm typecheck` fails when one drifts; the test itself only runs.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import type * as Sdk from "../sdk/index.d.ts"
import type * as Definition from "../src/Definition.ts"
import type { Problem } from "../src/Problem.ts"
import type { ValidReport } from "../src/Report.ts"
import type { Comparison, Rule, RuleLabels } from "../src/Rules.ts"
import * as Entry from "../src/Sdk.ts"

type Encoded<S extends { readonly Encoded: unknown }> = S["Encoded"]

describe("the SDK's declarations", () => {
  it("write the authoring shape exactly as the schema's Encoded type", () => {
    expectTypeOf<Sdk.CampaignInput>().toEqualTypeOf<Definition.CampaignInput>()
    expectTypeOf<Sdk.UnitInput>().toEqualTypeOf<Encoded<typeof Definition.UnitInput>>()
    expectTypeOf<Sdk.PhaseInput>().toEqualTypeOf<Encoded<typeof Definition.PhaseInput>>()
    expectTypeOf<Sdk.TaskInput>().toEqualTypeOf<Encoded<typeof Definition.TaskInput>>()
    expectTypeOf<Sdk.FigureInput>().toEqualTypeOf<Encoded<typeof Definition.FigureInput>>()
    expectTypeOf<Sdk.NarrativeInput>().toEqualTypeOf<Encoded<typeof Definition.NarrativeInput>>()
    expectTypeOf<Sdk.RuleInput>().toEqualTypeOf<Encoded<typeof Definition.RuleInput>>()
    expectTypeOf<Sdk.AssignmentInput>().toEqualTypeOf<Encoded<typeof Definition.AssignmentInput>>()
    expectTypeOf<Sdk.GateInput>().toEqualTypeOf<Encoded<typeof Definition.GateInput>>()
    expectTypeOf<Sdk.SummaryPhrases>().toEqualTypeOf<Encoded<typeof Definition.SummaryPhrasesInput>>()
    expectTypeOf<Sdk.Label>().toEqualTypeOf<Encoded<typeof Definition.Label>>()
    expectTypeOf<Sdk.UnitKind>().toEqualTypeOf<Encoded<typeof Definition.UnitKind>>()
  })

  it("write the normalized shapes as the sources do", () => {
    expectTypeOf<Sdk.Campaign>().toEqualTypeOf<Definition.Campaign>()
    expectTypeOf<Sdk.Unit>().toEqualTypeOf<Definition.Unit>()
    expectTypeOf<Sdk.Phase>().toEqualTypeOf<Definition.Phase>()
    expectTypeOf<Sdk.Task>().toEqualTypeOf<Definition.Task>()
    expectTypeOf<Sdk.Figure>().toEqualTypeOf<Definition.Figure>()
    expectTypeOf<Sdk.NarrativeField>().toEqualTypeOf<Definition.NarrativeField>()
    expectTypeOf<Sdk.Gate>().toEqualTypeOf<Definition.Gate>()
    expectTypeOf<Sdk.Rule>().toEqualTypeOf<Rule>()
    expectTypeOf<Sdk.Comparison>().toEqualTypeOf<Comparison>()
    expectTypeOf<Sdk.RuleLabels>().toEqualTypeOf<RuleLabels>()
    expectTypeOf<Sdk.Problem>().toEqualTypeOf<Problem>()
    expectTypeOf<Sdk.ValidReport>().toEqualTypeOf<ValidReport>()
  })

  it("give every function of the bundled entry its type", () => {
    expectTypeOf(Entry.validateCampaign).parameters.toEqualTypeOf<Parameters<typeof Sdk.validateCampaign>>()
    expectTypeOf(Entry.validateCampaign).returns.toExtend<ReturnType<typeof Sdk.validateCampaign>>()
    expectTypeOf(Entry.normalizeCampaign).toEqualTypeOf<typeof Sdk.normalizeCampaign>()
    expectTypeOf(Entry.campaignWarnings).toEqualTypeOf<typeof Sdk.campaignWarnings>()
    expectTypeOf(Entry.campaignHash).toEqualTypeOf<typeof Sdk.campaignHash>()
    expectTypeOf(Entry.canonicalJson).toEqualTypeOf<typeof Sdk.canonicalJson>()
    expectTypeOf(Entry.formatProblems).toEqualTypeOf<typeof Sdk.formatProblems>()
    expectTypeOf(Entry.validateReport).parameters.toEqualTypeOf<Parameters<typeof Sdk.validateReport>>()
    expectTypeOf(Entry.validateReport).returns.toExtend<ReturnType<typeof Sdk.validateReport>>()
    expectTypeOf(Entry.checkRules).toEqualTypeOf<typeof Sdk.checkRules>()
    expectTypeOf(Entry.parseComparison).toEqualTypeOf<typeof Sdk.parseComparison>()
    expectTypeOf<Parameters<typeof Sdk.ruleOf>>().toExtend<Parameters<typeof Entry.ruleOf>>()
    expectTypeOf(Entry.ruleOf).returns.toEqualTypeOf<ReturnType<typeof Sdk.ruleOf>>()
    expectTypeOf(Entry.defaultNarrative).toEqualTypeOf<typeof Sdk.defaultNarrative>()
    expectTypeOf(Entry.unitRoleLabels).toExtend<typeof Sdk.unitRoleLabels>()
    expectTypeOf(new Entry.DefinitionError({ problems: [] })).toExtend<Sdk.DefinitionError>()
    // defineCampaign keeps what it is given, typed by the declared input.
    const input = {
      key: "k",
      title: "t",
      coordinator: "c",
      units: [{ key: "c", name: "n", role: "host" }],
      phases: [],
    } as const satisfies Sdk.CampaignInput
    expectTypeOf<Parameters<typeof Entry.defineCampaign<typeof input>>>().toEqualTypeOf<
      Parameters<typeof Sdk.defineCampaign<typeof input>>
    >()
  })

  it("list exactly what the bundled entry exports", () => {
    type Runtime = Exclude<
      keyof typeof Sdk,
      | "Key"
      | "Label"
      | "UnitRole"
      | "UnitLevel"
      | "DateTimeInput"
      | "Duration"
      | "FigureInput"
      | "NarrativeInput"
      | "RuleInput"
      | "AssignmentInput"
      | "TaskInput"
      | "GateInput"
      | "PhaseInput"
      | "UnitKind"
      | "UnitInput"
      | "SummaryPhrases"
      | "CampaignInput"
    >
    expectTypeOf<keyof typeof Entry>().toEqualTypeOf<Runtime>()
    expect(Object.keys(Entry).sort()).toEqual([
      "DefinitionError",
      "campaignHash",
      "campaignWarnings",
      "canonicalJson",
      "checkRules",
      "defaultNarrative",
      "defineCampaign",
      "formatProblems",
      "normalizeCampaign",
      "parseComparison",
      "ruleOf",
      "unitRoleLabels",
      "validateCampaign",
      "validateReport",
    ])
  })
})
