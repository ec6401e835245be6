/**
 * The summary as data: sections, items and sentences built from the campaign
 * definition and the approved reports only, in Chinese or English. Renderers
 * (Markdown, HTML, Word) turn it into a document; nothing here knows a format.
 */
import type { Campaign, Phase, Task } from "@liandong/workflow"
import { type Labels, type Language, type Words, wordsFor } from "./Language.ts"
import { chineseNumeral } from "./Phrasing.ts"
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
  /** a second-level heading （一） above the item, in 楷体; null or absent: none */
  readonly heading?: string | null
}

/**
 * Composes an item's sentence. `figure` renders each total and `text` each
 * literal part, so HTML can link the totals and escape the rest.
 */
export const itemSentence = (
  item: Omit<ModelItem, "text">,
  words: Words,
  figure: (f: ModelFigure) => string = (f) => plainFigure(f, words),
  text: (s: string) => string = (s) => s,
) => {
  const amounts = item.figures.filter((f) => f.units > 0)
  // Render the tally around a marker, so that only the totals go through `figure`.
  const marker = "\u0000"
  const tally =
    item.who === null
      ? ""
      : amounts.length > 0
        ? text(words.tally(item.who, marker))
            .split(marker)
            .join(amounts.map(figure).join(text(words.listJoin)))
        : text(words.completed(item.who))
  return `${text(`${words.sentence(item.title)}${item.told}`)}${tally}${text(item.highlights)}`
}

/** A total as plain text: "发放宣传资料10000多份", or "brochures handed out more than 10,000". */
export const plainFigure = (f: ModelFigure, words: Words) =>
  words.lang === "en" ? `${f.label} ${f.phrase}` : `${f.label}${f.phrase}`

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
  readonly lang: Language
  readonly labels: Labels
  /** the wording the model was built with, for renderers that recompose sentences */
  readonly words: Words
  readonly title: string
  /** 发文机关署名: the level unit's name for a level summary, else the coordinator's */
  readonly issuer: string
  /** 成文日期: the last approval the summary reflects */
  readonly dated: Date
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

/** A date's parts in the campaign's time zone. */
const dateParts = (iso: string, timeZone: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  )
  return { y: parts.year ?? "", m: parts.month ?? "", d: parts.day ?? "" }
}

/** "A、B" for a few units, "A、B等N家单位" for more. */
export const unitsPhrase = (names: ReadonlyArray<string>): string =>
  wordsFor({ summary: {} } as unknown as Campaign).units(names)

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
  options: {
    draft?: boolean
    level?: string | undefined
    timeliness?: ReadonlyArray<PhaseTimeliness>
    lang?: Language
  } = {},
): SummaryModel => {
  const words = wordsFor(campaign, options.lang ?? "zh")
  const units = new Map(campaign.units.map((u) => [u.key, u]))
  const nameOf = (unit: string) => {
    const found = units.get(unit)
    return found === undefined ? unit : words.unitName(found)
  }
  const tz = campaign.timeZone
  const taskOf = new Map(campaign.phases.flatMap((p) => p.tasks.map((t) => [t.key, t] as const)))
  const figureOf = (task: Task, total: FigureTotal): ModelFigure => {
    const def = task.figures.find((f) => f.key === total.figure)
    return {
      id: `fig-${task.key}-${total.figure}`,
      task: task.key,
      figure: total.figure,
      label: def === undefined ? total.figure : words.figureLabel(def),
      phrase: words.phrase(total.total, { measure: def?.measure ?? "", phrasing: def?.phrasing ?? "exact" }),
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
      const text = words.sentence(r.narrative.narrative ?? "")
      const key = text.replaceAll(units.get(r.unit)?.name ?? r.unit, "").replace(/[\s,,、。;;.]/gu, "")
      if (text === "" || seen.has(key)) continue
      seen.add(key)
      out.push(text)
      if (out.length === limit) break
    }
    return out.join("")
  }

  const first = campaign.phases[0] as Phase
  const last = campaign.phases[campaign.phases.length - 1] as Phase
  const closesAt = new Date(Date.parse(last.closesAt) - 1).toISOString()
  const from = dateParts(first.opensAt, tz)
  const to = dateParts(closesAt, tz)
  const byRole = (role: string) => campaign.units.filter((u) => u.role === role && u.key !== campaign.coordinator)
  const organisers = [
    ...["co-organiser", "implementer"].flatMap((role) => byRole(role).map((u) => words.unitName(u))),
    ...(byRole("member").length > 0 ? [words.members(byRole("member").length)] : []),
    ...(byRole("subordinate").length > 0 ? [words.subordinates(byRole("subordinate").length)] : []),
  ]
  const title = words.lang === "en" ? (campaign.titleEn ?? campaign.title) : campaign.title
  const opening = words.opening({
    authority: campaign.authority,
    // A level's summary speaks for the unit at that level.
    lead: nameOf(options.level ?? campaign.coordinator),
    theme: campaign.theme,
    period: words.period(from, to, from.y === to.y),
    title,
    organisers,
  })

  const sectionPhases = campaign.phases.filter(
    (phase, i) => !(i === campaign.phases.length - 1 && i > 0 && phase.tasks.every((t) => t.figures.length === 0)),
  )
  const sections: ModelSection[] = sectionPhases.map((phase, i) => {
    const items = phase.tasks.map((task): ModelItem => {
      const done = reportsOf(task.key)
      const highlights = done
        .map((r) => r.narrative.highlights)
        .filter((h): h is string => h !== undefined && h.trim() !== "")
      const item = {
        task: task.key,
        title: words.taskTitle(task),
        told: distinctNarratives(done, 2),
        who: done.length === 0 ? null : words.units(done.map((r) => nameOf(r.unit))),
        figures: totals.filter((t) => t.task === task.key).map((t) => figureOf(task, t)),
        highlights: highlights.length > 0 ? words.highlights(highlights.slice(0, 2)) : "",
      }
      return { ...item, text: itemSentence(item, words) }
    })
    return { number: chineseNumeral(i + 1), heading: words.heading(phase), lead: null, items }
  })
  const difficulties = groupDifficulties(
    reports.map((r) => ({ unit: r.unit, text: r.narrative.difficulties ?? "" })).filter((d) => d.text.trim() !== ""),
  )
  const difficultyText =
    difficulties.length === 0
      ? words.noDifficulties
      : words.difficulties(
          title,
          difficulties.map((d) => ({ text: d.text, units: d.units.size })),
        )
  sections.push({
    number: chineseNumeral(sections.length + 1),
    heading: words.difficultiesHeading,
    lead: difficultyText,
    items: [],
  })
  sections.push({
    number: chineseNumeral(sections.length + 1),
    heading: words.nextStepsHeading,
    lead: words.nextSteps,
    items: [],
  })

  const totalsOut = totals.map((t) => figureOf(taskOf.get(t.task) as Task, t))
  const level = options.level !== undefined && options.level !== campaign.coordinator ? options.level : undefined
  const charts = {
    figures: totalsOut
      // A chart says something only when units differ.
      .filter(
        (f) =>
          f.sources.length >= 2 &&
          new Set(f.sources.map((s) => s.value)).size > 1 &&
          taskOf.get(f.task)?.figures.find((d) => d.key === f.figure)?.aggregate === "sum",
      )
      .map((f) => ({
        label: f.label,
        measure: f.measure,
        bars: f.sources.map((s) => ({ unit: s.unit, value: s.value })),
      })),
    timeliness: options.timeliness ?? [],
  }
  return {
    lang: words.lang,
    labels: words.labels,
    words,
    title: `${title}${words.titleSuffix}${level !== undefined ? words.level(nameOf(level)) : ""}`,
    issuer: nameOf(level ?? campaign.coordinator),
    dated: new Date(reports.reduce((last, r) => Math.max(last, r.approvedAt?.getTime() ?? 0), Date.UTC(2000, 0, 1))),
    draft: options.draft ?? false,
    opening,
    sections,
    closing: words.closing,
    totals: totalsOut,
    charts,
    reports: reports.map((r) => {
      const task = taskOf.get(r.task)
      return {
        unit: nameOf(r.unit),
        task: r.task,
        taskTitle: task === undefined ? r.task : words.taskTitle(task),
        report: r.id,
        submittedAt: r.submittedAt,
        approvedAt: r.approvedAt,
        figures: Object.entries(r.figures)
          .map(([k, v]) => {
            const def = task?.figures.find((f) => f.key === k)
            return `${def === undefined ? k : words.figureLabel(def)} ${v}`
          })
          .join(words.lang === "en" ? "; " : ";"),
      }
    }),
  }
}
