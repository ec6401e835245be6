/**
 * The summary as data: sections, items and sentences built from the campaign
 * definition and the approved reports only. Renderers (Markdown today) turn
 * it into text; nothing here knows about a format.
 */
import type { Campaign, Phase, Task } from "@liandong/workflow"
import { chineseNumeral, phraseTotal } from "./Phrasing.ts"
import { defaultHeadings, stock } from "./phrases.ts"
import type { PhaseTimeliness } from "./Timeliness.ts"
import type { ApprovedReport, FigureTotal } from "./Totals.ts"

/** A phrased total and where it came from. */
export interface ModelFigure {
  /** anchor id: `fig-<task>-<figure>` */
  readonly id: string
  readonly task: string
  readonly figure: string
  readonly label: string
  readonly phrase: string
  readonly exact: string
  readonly measure: string
  readonly units: number
  readonly reports: ReadonlyArray<string>
  readonly sources: ReadonlyArray<{ unit: string; report: string; value: string; journal: number | null }>
}

/** One numbered item of a section: what was done, who did it, and its totals. */
export interface ModelItem {
  readonly task: string
  readonly title: string
  /** what units wrote, without repeats */
  readonly told: string
  /** "A、B等N家单位", or null when nobody reported */
  readonly who: string | null
  readonly figures: ReadonlyArray<ModelFigure>
  readonly highlights: string
  /** the whole item as plain text */
  readonly text: string
}

/**
 * Composes an item's sentence. `figure` renders each total and `text` each
 * literal part, so HTML can link the totals and escape the rest.
 */
export const itemSentence = (
  item: Omit<ModelItem, "text">,
  figure: (f: ModelFigure) => string = (f) => `${f.label}${f.phrase}`,
  text: (s: string) => string = (s) => s,
) => {
  const amounts = item.figures.filter((f) => f.units > 0)
  const tally =
    item.who === null
      ? ""
      : amounts.length > 0
        ? `${text(`${item.who}共`)}${amounts.map(figure).join(text(","))}${text("。")}`
        : text(`${item.who}按要求完成了此项工作。`)
  return `${text(`${item.title}。${item.told}`)}${tally}${text(item.highlights)}`
}

/** A bar chart of one figure by unit. */
export interface FigureChart {
  readonly label: string
  readonly measure: string
  readonly bars: ReadonlyArray<{ unit: string; value: string }>
}

/** A numbered section. */
export interface ModelSection {
  readonly number: string
  readonly heading: string
  readonly lead: string | null
  readonly items: ReadonlyArray<ModelItem>
}

/** The whole summary as data. */
export interface SummaryModel {
  readonly title: string
  readonly draft: boolean
  readonly opening: string
  readonly sections: ReadonlyArray<ModelSection>
  readonly closing: string
  readonly totals: ReadonlyArray<ModelFigure>
  readonly charts: { readonly figures: ReadonlyArray<FigureChart>; readonly timeliness: ReadonlyArray<PhaseTimeliness> }
  readonly reports: ReadonlyArray<{
    unit: string
    task: string
    taskTitle: string
    report: string
    submittedAt: Date
    approvedAt: Date | null
    figures: string
  }>
}

/** "2026年4月13日" (or "4月13日") in the campaign's time zone. */
const day = (iso: string, timeZone: string, withYear: boolean) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  )
  return `${withYear ? `${parts.year}年` : ""}${parts.month}月${parts.day}日`
}

/** "A、B" for a few units, "A、B等N家单位" for more. */
export const unitsPhrase = (names: ReadonlyArray<string>): string =>
  names.length <= 3 ? names.join("、") : `${names.slice(0, 2).join("、")}等${names.length}家单位`

const sentence = (text: string) => {
  const trimmed = text.trim().replace(/[。;;,,\s]+$/u, "")
  return trimmed === "" ? "" : `${trimmed}。`
}

/** Splits narrative text into items and merges those that say the same thing. */
export const groupDifficulties = (texts: ReadonlyArray<{ unit: string; text: string }>) => {
  const groups = new Map<string, { text: string; units: Set<string> }>()
  for (const { unit, text } of texts) {
    for (const part of text.split(/[;;。\n]+/u)) {
      const clean = part
        .replace(/^\s*(?:[一二三四五六七八九十]是|\d+[、.))]|[((][一二三四五六七八九十\d]+[))])\s*/u, "")
        .trim()
      if (clean === "") continue
      const key = clean.replace(/[\s,,、。;;!!??“”"'‘’()()]/gu, "")
      const group = groups.get(key) ?? { text: clean, units: new Set<string>() }
      group.units.add(unit)
      groups.set(key, group)
    }
  }
  return [...groups.values()].sort((a, b) => b.units.size - a.units.size)
}

/** Builds the summary model. */
export const buildSummaryModel = (
  campaign: Campaign,
  totals: ReadonlyArray<FigureTotal>,
  reports: ReadonlyArray<ApprovedReport>,
  options: { draft?: boolean; level?: string | undefined; timeliness?: ReadonlyArray<PhaseTimeliness> } = {},
): SummaryModel => {
  const phrases = { ...stock, ...campaign.summary }
  const names = new Map(campaign.units.map((u) => [u.key, u.name]))
  const nameOf = (unit: string) => names.get(unit) ?? unit
  const tz = campaign.timeZone
  // A level's summary speaks for the unit at that level.
  const coordinator = nameOf(options.level ?? campaign.coordinator)
  const figureOf = (task: Task, total: FigureTotal): ModelFigure => {
    const def = task.figures.find((f) => f.key === total.figure)
    return {
      id: `fig-${task.key}-${total.figure}`,
      task: task.key,
      figure: total.figure,
      label: def?.label.zh ?? total.figure,
      phrase: phraseTotal(total.total, def?.measure ?? "", def?.phrasing ?? "exact"),
      exact: total.total,
      measure: def?.measure ?? "",
      units: total.contributions.length,
      reports: total.contributions.map((c) => c.report),
      sources: total.contributions.map((c) => ({
        unit: nameOf(c.unit),
        report: c.report,
        value: c.value,
        journal: c.journal,
      })),
    }
  }
  const order = new Map(campaign.units.map((u, i) => [u.key, u.key === campaign.coordinator ? -1 : i]))
  const reportsOf = (task: string) =>
    reports.filter((r) => r.task === task).sort((a, b) => (order.get(a.unit) ?? 0) - (order.get(b.unit) ?? 0))
  // What units wrote, without repeats: a unit's own name is left out when comparing.
  const distinctNarratives = (done: ReadonlyArray<ApprovedReport>, limit: number) => {
    const seen = new Set<string>()
    const out: string[] = []
    for (const r of done) {
      const text = sentence(r.narrative.narrative ?? "")
      const key = text.replaceAll(nameOf(r.unit), "").replace(/[\s,,、。;;]/gu, "")
      if (text === "" || seen.has(key)) continue
      seen.add(key)
      out.push(text)
      if (out.length === limit) break
    }
    return out.join("")
  }
  const first = campaign.phases[0] as Phase
  const last = campaign.phases[campaign.phases.length - 1] as Phase
  const sameYear = first.opensAt.slice(0, 4) === last.closesAt.slice(0, 4)
  const closesAt = new Date(Date.parse(last.closesAt) - 1).toISOString()
  const period = `${day(first.opensAt, tz, true)}至${day(closesAt, tz, !sameYear)}`
  const byRole = (role: string) => campaign.units.filter((u) => u.role === role && u.key !== campaign.coordinator)
  const organisers = [
    ...["co-organiser", "implementer"].flatMap((role) => byRole(role).map((u) => u.name)),
    ...(byRole("member").length > 0 ? [`${byRole("member").length}家成员单位`] : []),
    ...(byRole("subordinate").length > 0 ? [`${byRole("subordinate").length}个下级单位`] : []),
  ]
  const opening =
    `${campaign.authority ? `按照${campaign.authority}的部署,` : ""}${coordinator}结合本地实际,` +
    `${campaign.theme ? `紧紧围绕“${campaign.theme}”这一主题,` : ""}于${period}组织开展了${campaign.title}活动` +
    `${organisers.length > 0 ? `,${organisers.join("、")}共同参与` : ""}。活动期间,各单位统一配合、统一行动、统一宣传,` +
    phrases.openingResult

  const sectionPhases = campaign.phases.filter(
    (phase, i) => !(i === campaign.phases.length - 1 && i > 0 && phase.tasks.every((t) => t.figures.length === 0)),
  )
  const sections: ModelSection[] = sectionPhases.map((phase, i) => {
    const items = phase.tasks.map((task): ModelItem => {
      const done = reportsOf(task.key)
      const told = distinctNarratives(done, 2)
      const highlights = done
        .map((r) => r.narrative.highlights)
        .filter((h): h is string => h !== undefined && h.trim() !== "")
      const figures = totals.filter((t) => t.task === task.key).map((t) => figureOf(task, t))
      const who = done.length === 0 ? null : unitsPhrase(done.map((r) => nameOf(r.unit)))
      const shine =
        highlights.length > 0
          ? sentence(
              `其中,${highlights
                .slice(0, 2)
                .map((h) => h.replace(/[。]$/u, ""))
                .join(";")}`,
            )
          : ""
      const item = { task: task.key, title: task.title.zh, told, who, figures, highlights: shine }
      return { ...item, text: itemSentence(item) }
    })
    return {
      number: chineseNumeral(i + 1),
      heading: phase.heading ?? defaultHeadings[phase.key] ?? phase.name.zh,
      lead: null,
      items,
    }
  })
  const difficulties = groupDifficulties(
    reports.map((r) => ({ unit: r.unit, text: r.narrative.difficulties ?? "" })).filter((d) => d.text.trim() !== ""),
  )
  const difficultyText =
    difficulties.length === 0
      ? phrases.noDifficulties
      : `${campaign.title}${phrases.difficultiesLead}${difficulties
          .slice(0, stock.ordinals.length)
          .map((d, i) => `${stock.ordinals[i]}${d.text.replace(/[。]$/u, "")}(${d.units.size}家单位反映)`)
          .join(";")}。`
  sections.push({
    number: chineseNumeral(sections.length + 1),
    heading: stock.difficultiesHeading,
    lead: difficultyText,
    items: [],
  })
  sections.push({
    number: chineseNumeral(sections.length + 1),
    heading: stock.nextStepsHeading,
    lead: stock.nextSteps,
    items: [],
  })

  const taskOf = new Map(campaign.phases.flatMap((p) => p.tasks.map((t) => [t.key, t] as const)))
  const totalsOut = totals.map((t) => figureOf(taskOf.get(t.task) as Task, t))
  const level = options.level !== undefined && options.level !== campaign.coordinator ? options.level : undefined
  const charts = {
    figures: totalsOut
      .filter(
        (f) =>
          f.sources.length >= 2 && taskOf.get(f.task)?.figures.find((d) => d.key === f.figure)?.aggregate === "sum",
      )
      .map((f) => ({
        label: f.label,
        measure: f.measure,
        bars: f.sources.map((s) => ({ unit: s.unit, value: s.value })),
      })),
    timeliness: options.timeliness ?? [],
  }
  return {
    title: `${campaign.title}${stock.titleSuffix}${level !== undefined ? `(${nameOf(level)})` : ""}`,
    draft: options.draft ?? false,
    opening,
    sections,
    closing: phrases.closing,
    totals: totalsOut,
    charts,
    reports: reports.map((r) => ({
      unit: nameOf(r.unit),
      task: r.task,
      taskTitle: taskOf.get(r.task)?.title.zh ?? r.task,
      report: r.id,
      submittedAt: r.submittedAt,
      approvedAt: r.approvedAt,
      figures: Object.entries(r.figures)
        .map(([k, v]) => `${taskOf.get(r.task)?.figures.find((f) => f.key === k)?.label.zh ?? k} ${v}`)
        .join(";"),
    })),
  }
}
