/**
 * The stock phrases of an official summary. Headings and sentences that are
 * not data live here, not in the rendering code; a campaign's own `heading`
 * for a phase and its `summary` block take precedence. Defaults name no
 * subject: a flood-prevention campaign uses them as well as an IP week.
 */

/** Default section headings for the standard phases (a four-character pair, then what the section covers). */
export const defaultHeadings: Readonly<Record<string, string>> = {
  preparation: "高度重视、精心组织，抓好活动准备工作",
  publicity: "措施得力、重点突出，扎实开展宣传活动",
  enforcement: "加强检查、严格执法，推动各项措施落实",
  summary: "认真总结、巩固成效",
}

/** The fixed parts of the summary. */
export const stock = {
  titleSuffix: "活动总结",
  openingMeasures: "活动期间，各单位统一部署、统一行动、密切配合，",
  openingResult: "取得了较好的效果。现将活动情况总结如下：",
  difficultiesHeading: "存在的困难和问题",
  difficultiesLead: "活动虽然取得了一定成效，但还存在一些困难和问题：",
  noDifficulties: "各单位报送中未反映突出的困难和问题。",
  nextStepsHeading: "下一步工作打算",
  nextSteps:
    "下一步，我们将认真总结本次活动的经验和不足，针对各单位反映的困难和问题，加强部门协调联动，建立健全长效工作机制，推动各项工作落到实处。",
  closing: "",
  draftNotice: "草稿：活动尚未结束，数据以最终审核通过的报送为准。/ DRAFT: the campaign is still running.",
  appendixTotals: "附表一 数据汇总（精确值）",
  appendixUnits: "附表二 各单位报送情况",
  ordinals: ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"],
} as const

/** Clauses about the reporting itself (a correction, a late report), not about the work: left out of the text. */
export const processNote = /更正|核对|核实|重新报送|退回|报送[^，。；]*(?:延迟|延误|推迟|滞后)/u

/** How an office calls itself in its own text, by the end of its name. */
export const selfReference = (name: string): string =>
  name.endsWith("局") ? "我局" : /办(?:公室|事处)?$/u.test(name) ? "我办" : "我单位"
