/**
 * The 简报 (information bulletin): one issue (期) with a masthead and one short
 * news-style item per approved report — who did what, when and with what
 * figures. Only tasks that report figures are activities; the others (a work
 * plan, a unit's own summary) are left out, as are difficulties. Items follow
 * the campaign's order: phase, then task, then unit in definition order.
 */
import type { Database } from "@liandong/store"
import { type Campaign, unitAndSubordinates } from "@liandong/workflow"
import type { Kysely } from "kysely"
import type { Language } from "./Language.ts"
import { wordsFor } from "./Language.ts"
import { withoutProcessNotes } from "./Model.ts"
import { phraseTotal } from "./Phrasing.ts"
import { type ApprovedReport, loadApprovedReports, type Scope } from "./Totals.ts"

/** What the issue's masthead says besides its items. */
export interface BriefOptions {
  /** 期号; default 1 */
  readonly issue?: number | undefined
  /** the bulletin's name; default the campaign's title + 简报 */
  readonly name?: string | undefined
  /** 编发单位; default the coordinator (or the level's unit) */
  readonly office?: string | undefined
  /** an issue for this unit and its subordinates only */
  readonly level?: string | undefined
  readonly lang?: Language | undefined
}

/** One item of the issue. */
export interface BriefItem {
  readonly unit: string
  readonly task: string
  readonly report: string
  readonly headline: string
  readonly paragraphs: ReadonlyArray<string>
}

/** An issue of the bulletin. */
export interface Brief {
  readonly lang: Language
  readonly name: string
  readonly issue: string
  readonly office: string
  readonly date: string
  /** the fixed instant a Word file is stamped with: the last approval */
  readonly stamp: Date
  readonly items: ReadonlyArray<BriefItem>
}

const han = "\\p{Script=Han}"
const fullWidth: Record<string, string> = {
  ",": "，",
  ":": "：",
  ";": "；",
  "?": "？",
  "!": "！",
  "(": "（",
  ")": "）",
}

/** Half-width ,:;()?! next to Chinese become full-width, as official text wants. */
export const fullWidthPunctuation = (text: string): string =>
  text
    .replace(new RegExp(`\\((?=[^()]*${han})([^()]*)\\)`, "gu"), "（$1）")
    .replace(new RegExp(`(?<=${han}|[”」）])\\s*([,:;?!)])\\s*`, "gu"), (_, p: string) => fullWidth[p] ?? p)
    .replace(new RegExp(`\\s*([,:;?!(])\\s*(?=${han}|[“「（])`, "gu"), (_, p: string) => fullWidth[p] ?? p)
    .replace(new RegExp(`(?<=${han})\\.(?=\\s|$)`, "gu"), "。")

/** Sentences of a text, each ending in its mark; a sentence said before is dropped. */
const sentences = (text: string, seen: Set<string>): string[] => {
  const out: string[] = []
  for (const raw of fullWidthPunctuation(text.trim()).match(/[^。！？]+[。！？]?/gu) ?? []) {
    const s = raw.trim()
    if (s === "") continue
    const sentence = /[。！？.!?]$/u.test(s) ? s : `${s}。`
    const key = sentence.replace(/[\s，。、；：！？,.;:!?]/gu, "")
    if (key === "" || seen.has(key)) continue
    seen.add(key)
    out.push(sentence)
  }
  return out
}

const dayFormat = (timeZone: string, lang: Language) =>
  new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone,
    year: "numeric",
    month: "long",
    day: "numeric",
  })

/** "2026年4月20日至26日" / "20 April 2026 to 26 April 2026": a phase's window as the item's time. */
const windowPhrase = (opens: string, closes: string, timeZone: string, lang: Language) => {
  const format = dayFormat(timeZone, lang)
  const a = format.format(new Date(opens))
  // A phase closes at midnight: its last day is the day before.
  const b = format.format(new Date(new Date(closes).getTime() - 1))
  if (a === b) return a
  if (lang === "en") return `${a} to ${b}`
  const [ya, ma] = [a.split("年")[0], a.split("年")[1]?.split("月")[0]]
  const [yb, mb] = [b.split("年")[0], b.split("年")[1]?.split("月")[0]]
  const tail = ya !== yb ? b : ma !== mb ? b.slice(b.indexOf("年") + 1) : b.slice(b.indexOf("月") + 1)
  return `${a}至${tail}`
}

/** Builds an issue from the campaign and its approved reports. */
export const buildBrief = (
  campaign: Campaign,
  reports: ReadonlyArray<ApprovedReport>,
  options: BriefOptions = {},
): Brief => {
  const lang = options.lang ?? "zh"
  const words = wordsFor(campaign, lang)
  const units = new Map(campaign.units.map((u, i) => [u.key, { unit: u, order: i }]))
  const nameOf = (key: string) => {
    const found = units.get(key)?.unit
    return found === undefined ? key : words.unitName(found)
  }
  const tasks = campaign.phases.flatMap((phase) => phase.tasks.map((task) => ({ phase, task })))
  const taskOrder = new Map(tasks.map((t, i) => [t.task.key, i]))
  const ordered = [...reports].sort(
    (x, y) =>
      (taskOrder.get(x.task) ?? 1e9) - (taskOrder.get(y.task) ?? 1e9) ||
      (units.get(x.unit)?.order ?? 1e9) - (units.get(y.unit)?.order ?? 1e9) ||
      x.id.localeCompare(y.id),
  )
  // Shared by the whole issue: units of a joint activity often write the same sentence.
  const seen = new Set<string>()
  const items = ordered.flatMap((r): BriefItem[] => {
    const found = tasks[taskOrder.get(r.task) ?? -1]
    if (found === undefined) return []
    const { phase, task } = found
    // An activity reports figures; a task without any (a plan, the unit's own summary) is paperwork.
    if (task.figures.length === 0) return []
    const unit = nameOf(r.unit)
    const title = words.taskTitle(task)
    // Fields that declare an activity's date, place or people feed the lead; else the phase's window.
    const fact = (about: "place" | "date" | "people") => {
      const field = task.narrative.find((n) => n.about === about)
      const text = field === undefined ? "" : fullWidthPunctuation((r.narrative[field.key] ?? "").trim())
      return text.replace(/[。；，.;,]+$/u, "")
    }
    const [date, place, people] = [fact("date"), fact("place"), fact("people")]
    const when = date !== "" ? date : windowPhrase(phase.opensAt, phase.closesAt, campaign.timeZone, lang)
    const where = place === "" ? "" : lang === "en" ? ` at ${place}` : `在${place}`
    const figures = task.figures.flatMap((f) => {
      const value = r.figures[f.key]
      return value === undefined
        ? []
        : [`${words.figureLabel(f)}${lang === "en" ? " " : ""}${phraseTotal(value, f.measure, f.phrasing)}`]
    })
    // The figures go in the lead sentence, which names the unit, so no two items share it.
    const lead =
      lang === "en"
        ? `${when}, ${unit}${where}: ${title}${figures.length === 0 ? "" : ` (${figures.join("; ")})`}.`
        : `${when}，${unit}${where}${title}${figures.length === 0 ? "" : `，共${figures.join("，")}`}。`
    const attended = people === "" ? [] : [lang === "en" ? `Taking part: ${people}.` : `${people}参加活动。`]
    // Difficulties belong to the summary, not to a news item.
    const told = task.narrative
      .filter((n) => n.key !== "difficulties" && n.about === undefined)
      // Notes about reporting itself stay out; a unit's 我局 is the unit, by name, in a joint issue.
      .flatMap((n) => sentences(withoutProcessNotes(r.narrative[n.key] ?? "").replace(/我局|本局|我办/gu, unit), seen))
    const paragraphs = [[lead, ...attended, ...told].join(lang === "en" ? " " : "")]
    return [
      {
        unit,
        task: task.key,
        report: r.id,
        headline: fullWidthPunctuation(lang === "en" ? `${unit}: ${title}` : `${unit}${title}`),
        paragraphs: paragraphs.map(fullWidthPunctuation),
      },
    ]
  })
  let last = Number.NEGATIVE_INFINITY
  for (const r of reports) last = Math.max(last, r.approvedAt?.getTime() ?? 0)
  const stamp = reports.length === 0 ? new Date(Date.UTC(2000, 0, 1)) : new Date(last)
  const issue = options.issue ?? 1
  const office = options.office ?? nameOf(options.level ?? campaign.coordinator)
  const title = lang === "en" ? (campaign.titleEn ?? campaign.title) : campaign.title
  return {
    lang,
    name: options.name ?? (lang === "en" ? `${title} Bulletin` : `${title}简报`),
    issue: lang === "en" ? `No. ${issue}` : `第${issue}期`,
    office,
    date: dayFormat(campaign.timeZone, lang).format(stamp),
    stamp,
    items,
  }
}

/** Loads the approved reports in scope and builds the issue. */
export const loadBrief = async (
  db: Kysely<Database>,
  campaignId: string,
  campaign: Campaign,
  options: BriefOptions = {},
): Promise<Brief> => {
  const scope: Scope = options.level === undefined ? "all" : unitAndSubordinates(campaign, options.level)
  return buildBrief(campaign, await loadApprovedReports(db, campaignId, scope), options)
}

/** The issue as Markdown. */
export const briefMarkdown = (brief: Brief): string => {
  const empty = brief.lang === "en" ? "No approved reports yet." : "尚无审核通过的报送。"
  const lines = [
    `# ${brief.name}`,
    "",
    brief.issue,
    "",
    `${brief.office}${brief.lang === "en" ? ", " : "　　"}${brief.date}`,
    "",
    "---",
    "",
  ]
  if (brief.items.length === 0) lines.push(empty, "")
  for (const item of brief.items) lines.push(`## ${item.headline}`, "", ...item.paragraphs.flatMap((p) => [p, ""]))
  return `${lines.join("\n").trimEnd()}\n`
}

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

/** The issue as a printable HTML page: red masthead and rule, centred headlines. */
export const briefHtml = (brief: Brief): string => {
  const items =
    brief.items.length === 0
      ? `<p>${escapeHtml(brief.lang === "en" ? "No approved reports yet." : "尚无审核通过的报送。")}</p>`
      : brief.items
          .map(
            (item) =>
              `<article><h2>${escapeHtml(item.headline)}</h2>${item.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}</article>`,
          )
          .join("\n")
  return `<!doctype html>
<html lang="${brief.lang === "en" ? "en" : "zh-CN"}"><head><meta charset="utf-8"><title>${escapeHtml(`${brief.name} ${brief.issue}`)}</title>
<style>
body{font-family:"仿宋_GB2312",FangSong,serif;font-size:16pt;line-height:28pt;max-width:156mm;margin:2em auto}
header{color:#c00;text-align:center;border-bottom:2px solid #c00;padding-bottom:.5em}
header h1{font-family:"方正小标宋简体",serif;font-size:36pt;line-height:1.4;margin:.3em 0}
header .meta{display:flex;justify-content:space-between;color:#000}
h2{font-family:"方正小标宋简体","黑体",serif;text-align:center;font-size:18pt}
p{text-indent:2em;margin:0}
</style></head>
<body><header><h1>${escapeHtml(brief.name)}</h1><div class="issue">${escapeHtml(brief.issue)}</div>
<div class="meta"><span class="office">${escapeHtml(brief.office)}</span><span class="date">${escapeHtml(brief.date)}</span></div></header>
${items}
</body></html>
`
}
