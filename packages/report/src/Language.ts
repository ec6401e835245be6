/**
 * The words of the summary in Chinese (the official text) and in English (a
 * rendering for readers who need one). Chinese stock phrases may be replaced
 * per campaign (`summary` in the definition); English ones are fixed.
 */
import type { Campaign } from "@liandong/workflow"
import { defaultHeadings, selfReference, stock } from "./Phrases.ts"
import { fullWidth, phraseTotal } from "./Phrasing.ts"

/** The summary's languages. */
export type Language = "zh" | "en"

/** Labels renderers use around the text (appendix, notices). */
export interface Labels {
  readonly draftNotice: string
  readonly charts: string
  /** a chart's last bar, for the units beyond its limit */
  readonly chartOthers: (units: number) => string
  readonly appendixTotals: string
  readonly appendixUnits: string
  readonly totalsHeader: ReadonlyArray<string>
  readonly unitsHeader: ReadonlyArray<string>
  readonly source: (unit: string, value: string, report: string, journal: number | null) => string
  readonly itemNumber: (n: number) => string
  readonly sectionNumber: (numeral: string, n: number) => string
}

/** Everything worded differently by language. */
export interface Words {
  readonly lang: Language
  readonly titleSuffix: string
  /** The title of one level's own summary: "东区知识产权局关于…活动的工作总结". */
  readonly levelTitle: (unit: string, title: string) => string
  /** How the issuing office calls itself in the body ("我局"), from its Chinese name. */
  readonly self: (name: string, level: boolean) => string | null
  /** A sentence from its subject and the rest: "我局" + "在广场设点". */
  readonly subject: (who: string, rest: string) => string
  readonly opening: (parts: {
    authority: string | null
    lead: string
    theme: string | null
    period: string
    title: string
    organisers: string[]
    /** the office that acted alone (a level without subordinates), said in its voice */
    alone: string | null
  }) => string
  readonly period: (
    from: { y: string; m: string; d: string },
    to: { y: string; m: string; d: string },
    sameYear: boolean,
  ) => string
  readonly members: (n: number) => string
  readonly subordinates: (n: number) => string
  /** what a total that is not a sum says of itself: （最大值） */
  readonly aggregateNote: (aggregate: "max" | "min") => string
  /** units counted by what they are: 2家协会 */
  readonly kinds: (n: number, kind: { readonly zh: string; readonly en: string | null }) => string
  readonly units: (names: ReadonlyArray<string>, noun?: "units" | "members") => string
  /** A joint action and who led it: "我局牵头组织市工商局、市药监局等14家成员单位". */
  readonly led: (lead: string, units: string) => string
  /** The totals of an item; with `who` empty they close the sentence before. */
  readonly tally: (who: string, amounts: string) => string
  readonly completed: (who: string) => string
  readonly listJoin: string
  readonly highlights: (items: ReadonlyArray<string>) => string
  readonly difficulties: (
    title: string,
    groups: ReadonlyArray<{ text: string; units: number }>,
    count: boolean,
  ) => string
  readonly noDifficulties: string
  readonly difficultiesHeading: string
  readonly nextStepsHeading: string
  readonly nextSteps: string
  readonly closing: string
  readonly lead: (phase: string) => string | null
  readonly heading: (phase: Campaign["phases"][number]) => string
  readonly figureLabel: (figure: { label: { zh: string; en?: string | undefined }; key: string }) => string
  readonly phrase: (exact: string, figure: { measure: string; phrasing: "approximate" | "exact" }) => string
  readonly unitName: (unit: { name: string; nameEn: string | null }) => string
  readonly taskTitle: (task: { title: { zh: string; en?: string | undefined } }) => string
  readonly sentence: (text: string) => string
  /** Text as the language writes it: full-width punctuation in Chinese. */
  readonly text: (text: string) => string
  readonly labels: Labels
}

const ordinalsEn = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]

/** Chinese words, with the campaign's own phrases where it gives them. */
export const chinese = (campaign: Campaign): Words => {
  const block = campaign.summary
  const phrases = { ...stock, ...block }
  const sentence = (text: string) => {
    const trimmed = fullWidth(text.trim()).replace(/[。；，;,\s]+$/u, "")
    return trimmed === "" ? "" : `${trimmed}。`
  }
  return {
    lang: "zh",
    titleSuffix: stock.titleSuffix,
    levelTitle: (unit, title) => `${unit}关于${title}活动的工作总结`,
    self: (name, level) => (level ? "" : (block.self ?? "").trim()) || selfReference(name),
    subject: (who, rest) => `${who}${rest}`,
    opening: ({ authority, lead, theme, period, title, organisers, alone }) =>
      fullWidth(
        `${authority ? `按照${authority}的部署，` : ""}${lead}结合本地实际，` +
          `${theme ? `紧紧围绕“${theme}”这一主题，` : ""}于${period}组织开展了${title}活动` +
          `${organisers.length > 0 ? `，${organisers.join("、")}共同参与` : ""}。` +
          // An office that acted alone did not act with 各单位.
          (block.opening ?? `${stock.openingMeasures}${phrases.openingResult}`).replace(/各单位/gu, alone ?? "各单位"),
      ),
    period: (from, to, sameYear) =>
      `${from.y}年${from.m}月${from.d}日至${sameYear ? "" : `${to.y}年`}${to.m}月${to.d}日`,
    members: (n) => `${n}家成员单位`,
    subordinates: (n) => `${n}个下级单位`,
    kinds: (n, kind) => `${n}家${kind.zh}`,
    aggregateNote: (aggregate) => (aggregate === "max" ? "（各单位最大值）" : "（各单位最小值）"),
    units: (names, noun = "units") =>
      names.length <= 3
        ? names.join("、")
        : `${names.slice(0, 2).join("、")}等${names.length}家${noun === "members" ? "成员单位" : "单位"}`,
    led: (lead, units) => `${lead}牵头组织${units}`,
    tally: (who, amounts) => (who === "" ? `，共${amounts}。` : `${who}共${amounts}。`),
    completed: (who) => (who === "" ? "。" : `${who}按要求完成了此项工作。`),
    listJoin: "，",
    highlights: (items) => items.map(sentence).join(""),
    difficulties: (title, groups, count) =>
      `${title}${fullWidth(phrases.difficultiesLead)}${groups
        .slice(0, stock.ordinals.length)
        .map(
          (d, i) =>
            `${groups.length > 1 ? stock.ordinals[i] : ""}${fullWidth(d.text).replace(/[。]$/u, "")}${count ? `（${d.units}家单位反映）` : ""}`,
        )
        .join("；")}。`,
    noDifficulties: fullWidth(phrases.noDifficulties),
    difficultiesHeading: fullWidth(phrases.difficultiesHeading),
    nextStepsHeading: fullWidth(phrases.nextStepsHeading),
    nextSteps: fullWidth(phrases.nextSteps),
    closing: fullWidth(phrases.closing),
    lead: (phase) => {
      const text = block.leads?.[phase]
      return text === undefined || text.trim() === "" ? null : sentence(text)
    },
    heading: (phase) => fullWidth(phase.heading ?? defaultHeadings[phase.key] ?? phase.name.zh),
    figureLabel: (figure) => fullWidth(figure.label.zh),
    phrase: (exact, figure) => phraseTotal(exact, figure.measure, figure.phrasing),
    unitName: (unit) => fullWidth(unit.name),
    taskTitle: (task) => fullWidth(task.title.zh),
    sentence,
    text: fullWidth,
    labels: {
      draftNotice: stock.draftNotice,
      charts: "附图",
      chartOthers: (units) => `其余${units}个单位`,
      appendixTotals: stock.appendixTotals,
      appendixUnits: stock.appendixUnits,
      totalsHeader: ["任务", "数据项", "汇总", "表述", "报送单位数", "来源：报送编号（#日志行）"],
      unitsHeader: ["单位", "任务", "报送编号", "报送时间", "审核通过", "数据"],
      source: (unit, value, report, journal) => `${unit} — ${value}（报送 ${report}，日志第 ${journal ?? "—"} 行）`,
      itemNumber: (n) => `${n}、`,
      sectionNumber: (numeral) => `${numeral}、`,
    },
  }
}

const englishNumber = (exact: string, phrasing: "approximate" | "exact") => {
  const zh = phraseTotal(exact, "", phrasing)
  const plain = zh.replace(/[多余]$/u, "")
  const grouped = plain.replace(/\B(?=(\d{3})+(?!\d))/gu, ",")
  return zh.endsWith("多") || zh.endsWith("余") ? `more than ${grouped}` : grouped
}

/** English words: a reader's rendering of the official Chinese text. */
export const english = (): Words => ({
  lang: "en",
  titleSuffix: ": summary report",
  levelTitle: (unit, title) => `${title}: summary report of ${unit}`,
  // A reader's rendering names every unit, the issuer too.
  self: () => null,
  subject: (who, rest) => `${who} ${rest}`,
  opening: ({ authority, lead, theme, period, title, organisers }) =>
    `${authority ? `As instructed by ${authority}, ` : ""}${lead} organised ${title} from ${period}` +
    `${theme ? ` under the theme "${theme}"` : ""}${organisers.length > 0 ? `, with ${organisers.join(", ")} taking part` : ""}. ` +
    "All units acted together and the campaign achieved good results. This report summarises it.",
  period: (from, to) =>
    `${from.y}-${from.m.padStart(2, "0")}-${from.d.padStart(2, "0")} to ${to.y}-${to.m.padStart(2, "0")}-${to.d.padStart(2, "0")}`,
  members: (n) => `${n} member units`,
  subordinates: (n) => `${n} subordinate units`,
  kinds: (n, kind) => `${n} × ${kind.en ?? kind.zh}`,
  aggregateNote: (aggregate) => (aggregate === "max" ? " (largest unit value)" : " (smallest unit value)"),
  units: (names, noun = "units") =>
    names.length <= 3
      ? names.join(", ")
      : `${names.slice(0, 2).join(", ")} and ${names.length - 2} other ${noun === "members" ? "member units" : "units"}`,
  led: (lead, units) => `${lead}, leading ${units},`,
  tally: (who, amounts) => (who === "" ? `: ${amounts}. ` : `${who} reported: ${amounts}. `),
  completed: (who) => (who === "" ? ". " : `${who} completed this task. `),
  listJoin: "; ",
  highlights: (items) => (items.length === 0 ? "" : `Highlights: ${items.join("; ")}. `),
  difficulties: (_title, groups, count) =>
    `Units reported these difficulties: ${groups
      .slice(0, ordinalsEn.length)
      .map((d, i) => `${ordinalsEn[i]}, ${d.text}${count ? ` (${d.units} ${d.units === 1 ? "unit" : "units"})` : ""}`)
      .join("; ")}.`,
  noDifficulties: "Units reported no significant difficulties.",
  difficultiesHeading: "Difficulties and problems",
  nextStepsHeading: "Next steps",
  nextSteps:
    "We will review what this campaign taught us, address the difficulties units reported, coordinate more closely and build lasting arrangements so that the measures take hold.",
  closing: "",
  lead: () => null,
  heading: (phase) => phase.name.en ?? phase.name.zh,
  figureLabel: (figure) => figure.label.en ?? figure.key,
  phrase: (exact, figure) => englishNumber(exact, figure.phrasing),
  unitName: (unit) => unit.nameEn ?? unit.name,
  taskTitle: (task) => task.title.en ?? task.title.zh,
  sentence: (text) => {
    const trimmed = text.trim().replace(/[。.;;,,\s]+$/u, "")
    return trimmed === "" ? "" : `${trimmed}. `
  },
  text: (text) => text,
  labels: {
    draftNotice: "DRAFT: the campaign is still running; figures are those approved so far.",
    charts: "Charts",
    chartOthers: (units) => `${units} other units`,
    appendixTotals: "Appendix 1. Totals (exact values)",
    appendixUnits: "Appendix 2. Reports by unit",
    totalsHeader: ["Task", "Figure", "Total", "Stated as", "Units", "Sources: report (#journal row)"],
    unitsHeader: ["Unit", "Task", "Report", "Submitted", "Approved", "Figures"],
    source: (unit, value, report, journal) => `${unit}: ${value} (report ${report}, journal row ${journal ?? "—"})`,
    itemNumber: (n) => `${n}. `,
    sectionNumber: (_numeral, n) => `${n}. `,
  },
})

/** The words for a language. */
export const wordsFor = (campaign: Campaign, lang: Language = "zh"): Words =>
  lang === "en" ? english() : chinese(campaign)
