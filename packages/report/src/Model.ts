/**
 * The summary as data: sections, items and sentences built from the campaign
 * definition and the approved reports only, in Chinese or English. Renderers
 * (Markdown, HTML, Word) turn it into a document; nothing here knows a format.
 */
import {
  addDecimal,
  type Campaign,
  compareDecimal,
  type Phase,
  type Task,
  type Unit,
  unitAndSubordinates,
} from "@liandong/workflow"
import { type Labels, type Language, type Words, wordsFor } from "./Language.ts"
import { processNote } from "./Phrases.ts"
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
  /** the exact total as the appendix states it: 38条, or 5家（最大值） when units' values are not added */
  readonly stated: string
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
  /** "A、B等N家单位"; "" when the narrative already named them (the totals close its sentence); null when nobody reported */
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
/** The most bars a chart draws: a page of a printed summary, whatever the size of the campaign. */
export const chartBarLimit = 20

/**
 * One bar a unit, in the summary's order, while they fit; beyond `chartBarLimit` the largest
 * values (ties in order) and one bar for the rest of the units, summed exactly. A national
 * campaign's chart of 50,000 bars would be a picture metres long that nobody reads.
 */
export const chartBars = (
  sources: ReadonlyArray<{ readonly unit: string; readonly value: string }>,
  labels: Labels,
): ReadonlyArray<{ unit: string; value: string }> => {
  if (sources.length <= chartBarLimit) return sources.map((s) => ({ unit: s.unit, value: s.value }))
  const ranked = sources
    .map((source, order) => ({ source, order }))
    .sort((a, b) => compareDecimal(b.source.value, a.source.value) || a.order - b.order)
  const shown = ranked.slice(0, chartBarLimit - 1).map(({ source }) => ({ unit: source.unit, value: source.value }))
  const rest = ranked.slice(chartBarLimit - 1)
  const value = rest.reduce((sum, { source }) => addDecimal(sum, source.value), "0")
  return [...shown, { unit: labels.chartOthers(rest.length), value }]
}

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

/**
 * A report's files (佐证材料) as the appendix lists them: each name with its SHA-256's first
 * 12 characters, enough to find the file in an export's files/ and check it against the journal.
 */
export const evidenceOf = (report: ApprovedReport, lang: Language): string[] => {
  const files = report.attachments ?? []
  if (files.length === 0) return []
  return lang === "en"
    ? [`evidence: ${files.map((f) => `${f.name} (${f.sha256.slice(0, 12)})`).join(", ")}`]
    : [`佐证材料：${files.map((f) => `${f.name}（${f.sha256.slice(0, 12)}）`).join("、")}`]
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

/** A text's comparison key: no spaces, punctuation, or self-reference at the start. */
const keyOf = (text: string) =>
  text.replace(/^(?:我(?:局|办|单位|委|县|区|市))/u, "").replace(/[\s,，、。.;；:：!！?？“”"'‘’()（）]/gu, "")

/**
 * Splits narrative text into items and merges those that say the same thing,
 * or nearly: an item whose words are all inside another's joins the longer one.
 */
export const groupDifficulties = (texts: ReadonlyArray<{ unit: string; text: string }>) => {
  const groups = new Map<string, { text: string; units: Set<string> }>()
  for (const { unit, text } of texts) {
    for (const part of text.split(/[;；。\n]+/u)) {
      const clean = part
        .replace(/^\s*(?:[一二三四五六七八九十]是|\d+[、.）)]|[（(][一二三四五六七八九十\d]+[）)])\s*/u, "")
        .trim()
      if (clean === "") continue
      const key = keyOf(clean)
      const group = groups.get(key) ?? { text: clean, units: new Set<string>() }
      group.units.add(unit)
      groups.set(key, group)
    }
  }
  // Near-identical items: the shorter (at least four characters) is contained in the longer.
  const keys = [...groups.keys()].sort((a, b) => b.length - a.length)
  for (const short of [...keys].reverse()) {
    const into = keys.find(
      (long) => long !== short && long.length > short.length && short.length >= 4 && long.includes(short),
    )
    const from = groups.get(short)
    const target = into === undefined ? undefined : groups.get(into)
    if (from === undefined || target === undefined) continue
    for (const u of from.units) target.units.add(u)
    groups.delete(short)
  }
  return [...groups.values()].sort((a, b) => b.units.size - a.units.size)
}

/** Narrative text without the clauses about reporting itself (a correction, a late report). */
export const withoutProcessNotes = (text: string): string => {
  const parts = text.split(/([，,；;。])/u)
  const kept: string[] = []
  for (let i = 0; i < parts.length; i += 2) {
    const clause = parts[i] ?? ""
    const mark = parts[i + 1] ?? ""
    if (processNote.test(clause)) {
      // A cause given for the note goes with it ("因人员外出培训，报送有所延迟").
      if (kept.length >= 2 && /^(?:因|由于)/u.test(kept[kept.length - 2] ?? "")) kept.splice(-2, 2)
      continue
    }
    kept.push(clause, mark)
  }
  return kept.join("").replace(/[，,；;]+$/u, "")
}

/** Replaces a name by another outside 《》 titles: a document's title keeps its issuer. */
const renameOutsideTitles = (text: string, name: string | RegExp, by: string) =>
  name === ""
    ? text
    : text
        .split(/(《[^》]*》)/u)
        .map((part) => (part.startsWith("《") ? part : part.replaceAll(name, by)))
        .join("")

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
  // The office that issues the summary: a level's unit, else the coordinator. It speaks of itself as 我局.
  const level = options.level !== undefined && options.level !== campaign.coordinator ? options.level : undefined
  const issuer = level ?? campaign.coordinator
  const issuerName = units.get(issuer)?.name ?? issuer
  const self = words.self(issuerName, level !== undefined)
  const said = (unit: string) => (unit === issuer && self !== null ? self : nameOf(unit))
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
      stated: `${total.total}${def?.measure ?? ""}${def === undefined || def.aggregate === "sum" ? "" : words.aggregateNote(def.aggregate)}`,
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
  const order = new Map(campaign.units.map((u, i) => [u.key, u.key === issuer ? -1 : i]))
  const unitOrder = new Map(campaign.units.map((u, i) => [u.key, i]))
  const taskOrder = new Map(campaign.phases.flatMap((p) => p.tasks).map((t, i) => [t.key, i]))
  const reportsOf = (task: string) =>
    reports.filter((r) => r.task === task).sort((a, b) => (order.get(a.unit) ?? 0) - (order.get(b.unit) ?? 0))

  /**
   * A joint action is credited to its lead: the coordinator, when the task is
   * assigned to member units only and not to the coordinator itself (the
   * members act under it, as the seed's 联席办公会议成员单位 do).
   */
  const leadOf = (task: Task): string | null =>
    task.units.length > 1 &&
    !task.units.includes(campaign.coordinator) &&
    task.units.every((u) => units.get(u)?.role === "member")
      ? campaign.coordinator
      : null
  // A text that names its own subject: "我局…", "4月26日，我局和…".
  const selfWords = /^(?:[^，,。；;]*日[，,]\s*)?(?:我|本)(?:局|办|单位|委|县|区)/u

  /**
   * What units wrote, one sentence per group of units that wrote the same; a
   * unit named at the start of its text is named once for the group, a text
   * without a subject gets its unit's name, and a clause said earlier in the
   * item is not said again.
   */
  const narrativeGroups = (done: ReadonlyArray<ApprovedReport>, field: string) => {
    const groups = new Map<string, { units: string[]; body: string; own: boolean }>()
    for (const r of done) {
      const unit = units.get(r.unit)
      let text = withoutProcessNotes((r.narrative[field] ?? "").trim())
      const name = unit?.name ?? r.unit
      if (self !== null) {
        // Another unit's 我局 is that unit; the issuer, by name, is 我局.
        if (r.unit !== issuer) text = renameOutsideTitles(text, /我(?:局|办|单位)/gu, name)
        text = renameOutsideTitles(text, issuerName, self)
      }
      if (text === "") continue
      const own = !text.startsWith(name) && selfWords.test(text)
      const body = text.startsWith(name) ? text.slice(name.length) : text
      const key = own ? `${r.unit}\u0000${keyOf(body)}` : keyOf(body)
      const group = groups.get(key) ?? { units: [], body, own }
      group.units.push(r.unit)
      groups.set(key, group)
    }
    return [...groups.values()]
  }
  const dropSaid = (body: string, seen: Set<string>) => {
    const parts = words.text(body).split(/([，；。])/u)
    const kept: string[] = []
    for (let i = 0; i < parts.length; i += 2) {
      const clause = parts[i] ?? ""
      const key = keyOf(clause)
      if (key !== "" && seen.has(key)) continue
      if (key !== "") seen.add(key)
      kept.push(clause, parts[i + 1] ?? "")
    }
    return kept.join("").replace(/[，；。]+$/u, "")
  }

  const first = campaign.phases[0] as Phase
  const last = campaign.phases[campaign.phases.length - 1] as Phase
  const closesAt = new Date(Date.parse(last.closesAt) - 1).toISOString()
  const from = dateParts(first.opensAt, tz)
  const to = dateParts(closesAt, tz)
  // Who took part: the issuer's own subordinates for a level, everyone for the campaign.
  const inScope = level === undefined ? null : unitAndSubordinates(campaign, level)
  const byRole = (role: string) =>
    campaign.units.filter((u) => u.role === role && u.key !== issuer && (inScope === null || inScope.has(u.key)))
  // Members and subordinates are counted by what they are when the definition says (2家协会).
  const counted = (role: string, plain: (n: number) => string) => {
    const all = byRole(role)
    const kinds = new Map<string, { kind: NonNullable<Unit["kind"]>; n: number }>()
    for (const u of all)
      if (u.kind !== undefined) {
        const seen = kinds.get(u.kind.zh)
        // One word may be written with its English once and bare elsewhere: keep the English.
        kinds.set(u.kind.zh, { kind: seen?.kind.en ? seen.kind : u.kind, n: (seen?.n ?? 0) + 1 })
      }
    const rest = all.filter((u) => u.kind === undefined).length
    return [...[...kinds.values()].map(({ kind, n }) => words.kinds(n, kind)), ...(rest > 0 ? [plain(rest)] : [])]
  }
  const organisers = [
    ...["co-organiser", "implementer"].flatMap((role) => byRole(role).map((u) => words.unitName(u))),
    ...counted("member", words.members),
    ...counted("subordinate", words.subordinates),
  ]
  const title = words.lang === "en" ? (campaign.titleEn ?? campaign.title) : words.text(campaign.title)
  const parent = level === undefined ? null : (units.get(level)?.parent ?? null)
  const opening = words.opening({
    // A level works as its parent office deployed.
    authority: parent !== null ? nameOf(parent) : campaign.authority,
    lead: nameOf(issuer),
    theme: campaign.theme,
    period: words.period(from, to, from.y === to.y),
    title,
    organisers,
    alone: inScope !== null && inScope.size === 1 ? self : null,
  })

  const hasHighlights = (phase: Phase) =>
    phase.tasks.some((t) => reportsOf(t.key).some((r) => (r.narrative.highlights ?? "").trim() !== ""))
  // A last phase of the units' own summaries is a section only for its highlights; its difficulties come later.
  const sectionPhases = campaign.phases.filter(
    (phase, i) =>
      !(
        i === campaign.phases.length - 1 &&
        i > 0 &&
        phase.tasks.every((t) => t.figures.length === 0) &&
        !hasHighlights(phase)
      ),
  )
  const itemOf = (task: Task): ModelItem | null => {
    const done = reportsOf(task.key)
    // A task nobody in scope reported on says nothing.
    if (done.length === 0) return null
    const lead = leadOf(task)
    const reporters = done.map((r) => r.unit)
    const namesOf = (keys: ReadonlyArray<string>) =>
      lead !== null && !keys.includes(lead) && keys.every((k) => units.get(k)?.role === "member")
        ? words.led(said(lead), words.units(keys.map(said), "members"))
        : words.units(keys.map(said))
    const seen = new Set<string>([keyOf(words.taskTitle(task))])
    const groups = narrativeGroups(done, "narrative").slice(0, 2)
    const sentences = groups
      .map((g) => {
        const body = dropSaid(g.body, seen)
        if (body === "") return ""
        return words.sentence(g.own ? body : words.subject(namesOf(g.units), body))
      })
      .filter((t) => t !== "")
    const told = sentences.join("")
    // Named in the narrative already: the totals close its sentence.
    const whoSaid = sentences.length === 1 && groups.length === 1 && groups[0]?.units.length === reporters.length
    const highlightGroups = narrativeGroups(done, "highlights").slice(0, 3)
    const highlights = highlightGroups
      .map((g) => {
        const body = dropSaid(g.body, seen)
        return body === "" ? "" : g.own ? body : words.subject(namesOf(g.units), body)
      })
      .filter((t) => t !== "")
    const item = {
      task: task.key,
      title: words.taskTitle(task),
      told: whoSaid ? told.replace(/[。.]\s*$/u, "") : told,
      who: whoSaid ? "" : namesOf(reporters),
      figures: totals.filter((t) => t.task === task.key).map((t) => figureOf(task, t)),
      highlights: words.highlights(highlights),
    }
    return { ...item, text: itemSentence(item, words) }
  }
  const sections: ModelSection[] = []
  for (const phase of sectionPhases) {
    const items = phase.tasks.map(itemOf).filter((i): i is ModelItem => i !== null)
    if (items.length === 0) continue
    sections.push({
      number: chineseNumeral(sections.length + 1),
      heading: words.heading(phase),
      // The section leads are the coordinator's words about the whole campaign.
      lead: level === undefined ? words.lead(phase.key) : null,
      items,
    })
  }
  const difficulties = groupDifficulties(
    reports.map((r) => ({ unit: r.unit, text: r.narrative.difficulties ?? "" })).filter((d) => d.text.trim() !== ""),
  )
  const difficultyText =
    difficulties.length === 0
      ? words.noDifficulties
      : words.difficulties(
          title,
          difficulties.map((d) => ({ text: d.text, units: d.units.size })),
          campaign.summary.countDifficulties === true,
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
  const charts = {
    figures: totalsOut
      // A chart says something only when units differ.
      .filter(
        (f) =>
          f.sources.length >= 2 &&
          new Set(f.sources.map((s) => s.value)).size > 1 &&
          taskOf.get(f.task)?.figures.find((d) => d.key === f.figure)?.aggregate === "sum",
      )
      .map((f) => ({ label: f.label, measure: f.measure, bars: chartBars(f.sources, words.labels) })),
    timeliness: options.timeliness ?? [],
  }
  return {
    lang: words.lang,
    labels: words.labels,
    words,
    title: level !== undefined ? words.levelTitle(nameOf(level), title) : `${title}${words.titleSuffix}`,
    issuer: nameOf(level ?? campaign.coordinator),
    dated: new Date(reports.reduce((last, r) => Math.max(last, r.approvedAt?.getTime() ?? 0), Date.UTC(2000, 0, 1))),
    draft: options.draft ?? false,
    opening,
    sections,
    closing: words.closing,
    totals: totalsOut,
    charts,
    // The reports appendix in the definition's order: units, then their tasks.
    reports: [...reports]
      .sort(
        (a, b) =>
          (unitOrder.get(a.unit) ?? 0) - (unitOrder.get(b.unit) ?? 0) ||
          (taskOrder.get(a.task) ?? 0) - (taskOrder.get(b.task) ?? 0) ||
          Number(a.id) - Number(b.id),
      )
      .map((r) => {
        const task = taskOf.get(r.task)
        return {
          unit: nameOf(r.unit),
          task: r.task,
          taskTitle: task === undefined ? r.task : words.taskTitle(task),
          report: r.id,
          submittedAt: r.submittedAt,
          approvedAt: r.approvedAt,
          figures: [
            ...Object.entries(r.figures).map(([k, v]) => {
              const def = task?.figures.find((f) => f.key === k)
              return `${def === undefined ? k : words.figureLabel(def)} ${v}`
            }),
            ...evidenceOf(r, words.lang),
          ].join(words.lang === "en" ? "; " : "；"),
        }
      }),
  }
}
