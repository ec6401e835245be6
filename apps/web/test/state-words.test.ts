/**
 * Every state of the real machines reads as words: the unit and campaign
 * machines compiled from the shipped campaigns are walked state by state, and
 * every change between two of their states, as the timeline shows it, holds
 * nothing but names, state words and punctuation — in Chinese and in English.
 */
import { greenBookmark, ipWeek, tour } from "@liandong/campaigns"
import { buildCampaignMachine, buildUnitMachine, normalizeCampaign, stateText } from "@liandong/workflow"
import { describe, expect, it } from "vitest"
import { type Language, messages } from "../src/i18n/Messages.ts"
import { parseStateText, type StateTree, stateChanges } from "../src/machine/StateText.ts"
import { type MachineKind, stateWords } from "../src/machine/StateWords.ts"

/** The part of an XState state node the walk reads. */
interface StateNode {
  readonly type: string
  readonly key: string
  readonly states: Readonly<Record<string, StateNode>>
}

/** Every value the node's children can take: each child state, each region varied with the others at their first state. */
const valuesBelow = (node: StateNode): StateTree[] => {
  const children = Object.values(node.states)
  if (node.type === "parallel") {
    const each = children.map(valuesBelow)
    const first = each.map((values) => values[0] as StateTree)
    return children.flatMap((_, i) =>
      (each[i] as StateTree[]).map((value) =>
        Object.fromEntries(
          children.map((child, j): [string, StateTree] => [child.key, j === i ? value : (first[j] as StateTree)]),
        ),
      ),
    )
  }
  return children.flatMap((child): StateTree[] =>
    child.type === "atomic" || child.type === "final"
      ? [child.key]
      : valuesBelow(child).map((value) => ({ [child.key]: value })),
  )
}

const campaigns = [ipWeek, tour, greenBookmark].map((definition) => normalizeCampaign(definition as never))
const languages: Language[] = ["zh", "en"]

/** Removes every word a line may hold; what is left is raw text. */
const leftover = (line: string, vocabulary: ReadonlyArray<string>) => {
  let rest = line
  for (const word of vocabulary) rest = rest.replaceAll(word, " ")
  return rest.replace(/[\s→·：；（）:;(),]/g, "")
}

describe("state words", () => {
  for (const campaign of campaigns) {
    it(`reads every state of ${campaign.key}'s machines as words, in Chinese and English`, () => {
      const machines: Array<{ kind: MachineKind; root: StateNode }> = [
        { kind: "campaign", root: buildCampaignMachine(campaign).root as unknown as StateNode },
        ...campaign.units
          .filter((unit) => campaign.phases.some((phase) => phase.participants.includes(unit.key)))
          .map((unit) => ({
            kind: "unit" as const,
            root: buildUnitMachine(campaign, unit.key).root as unknown as StateNode,
          })),
      ]
      let lines = 0
      for (const lang of languages) {
        const t = messages[lang]
        const pick = (text: { zh: string; en?: string | null | undefined }) =>
          lang === "en" && text.en ? text.en : text.zh
        const phases = new Map(campaign.phases.map((phase) => [phase.key, pick(phase.name)]))
        const tasks = new Map(
          campaign.phases.flatMap((phase) => phase.tasks.map((task) => [task.key, pick(task.title)])),
        )
        const names = { phase: (key: string) => phases.get(key) ?? key, task: (key: string) => tasks.get(key) ?? key }
        const vocabulary = [
          ...Object.values(t.machine.states),
          ...Object.values(t.machine.campaignStates),
          t.machine.none,
          ...phases.values(),
          ...tasks.values(),
        ].sort((a, b) => b.length - a.length)
        const seen = new Set<string>()
        for (const { kind, root } of machines) {
          const texts = ["", ...new Set(valuesBelow(root).map((value) => stateText(value)))]
          const key = `${kind}:${texts.join("|")}`
          if (seen.has(key)) continue
          seen.add(key)
          // The text the engine writes reads back as the same state.
          for (const text of texts.slice(1)) expect(stateText(parseStateText(text))).toBe(text)
          const words = stateWords(kind, t, names)
          for (const before of texts) {
            for (const after of texts) {
              for (const change of stateChanges(before, after)) {
                const line = words.change(change)
                lines++
                expect(leftover(line, vocabulary), `${kind} ${before} → ${after} read as "${line}"`).toBe("")
              }
            }
          }
        }
      }
      expect(lines).toBeGreaterThan(100)
    })
  }

  it("says what the timeline's examples mean", () => {
    const t = messages.zh
    const names = {
      phase: (key: string) => ({ publicity: "宣传", preparation: "筹备" })[key] ?? key,
      task: (key: string) => ({ brochures: "发放宣传资料", lectures: "举办讲座" })[key] ?? key,
    }
    const unit = stateWords("unit", t, names)
    const campaign = stateWords("campaign", t, names)
    const lines = (words: typeof unit, before: string, after: string) =>
      stateChanges(before, after).map((c) => words.change(c))
    expect(
      lines(unit, "{publicity:waiting,summary:waiting}", "{publicity:open.brochures.assigned,summary:waiting}"),
    ).toEqual(["宣传：待开始 → 进行中（发放宣传资料：待确认）"])
    expect(lines(unit, "publicity.open{brochures:submitted,lectures:approved}", "publicity.done")).toEqual([
      "宣传：进行中（发放宣传资料：已报送；举办讲座：已通过） → 已完成",
    ])
    expect(lines(unit, "publicity.open.brochures.assigned", "publicity.open.brochures.acknowledged")).toEqual([
      "宣传 · 发放宣传资料：待确认 → 已确认",
    ])
    expect(lines(campaign, "", "ready")).toEqual(["无 → 待启动"])
    expect(lines(campaign, "ready", "running.preparation.waiting")).toEqual(["待启动 → 进行中（筹备：待开始）"])
    expect(lines(campaign, "running.preparation.open", "running.publicity.waiting")).toEqual([
      "筹备：进行中 → 宣传：待开始",
    ])
    expect(lines(campaign, "running.publicity.waiting", "running.publicity.open")).toEqual(["宣传：待开始 → 进行中"])
    expect(lines(campaign, "summarizing", "closed")).toEqual(["正在生成总结 → 已结束"])
  })
})
