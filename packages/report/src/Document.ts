/**
 * The summary as a 公文 (GB/T 9704-2012): title, optional 主送, body headings in
 * four levels (一、 黑体 · （一） 楷体 · 1. 仿宋 · （1） 仿宋), 附件说明, then the
 * issuing office and the date that close the body, then each attachment on a
 * page of its own. Every renderer lays out this tree, so they agree.
 */
import type { SummaryModel } from "./Model.ts"

/** A body block: a heading of level 1–4, or a paragraph (heading level 0). */
export interface DocBlock {
  readonly level: 0 | 1 | 2 | 3 | 4
  /** the number as printed ("一、", "（一）", "1.", "（1）"), "" for none */
  readonly number: string
  readonly text: string
}

export interface DocAttachment {
  /** "附件1" / "Attachment 1" */
  readonly label: string
  readonly title: string
  /** which appendix of the model it holds */
  readonly kind: "totals" | "units"
}

export interface GovDocument {
  readonly title: string
  readonly addressee: string | null
  readonly body: ReadonlyArray<DocBlock>
  /** 附件说明: "附件：1. 名称", one line per attachment */
  readonly attachmentNote: ReadonlyArray<string>
  readonly issuer: string
  readonly date: string
  readonly attachments: ReadonlyArray<DocAttachment>
}

export interface DocumentOptions {
  /** the campaign's time zone: the date is the calendar day there */
  readonly timeZone?: string
  /** 二〇二六年五月八日 instead of 2026年5月8日 (house style) */
  readonly chineseNumerals?: boolean
  readonly addressee?: string | null
}

const digits = "〇一二三四五六七八九"
const tens = (n: number) =>
  n < 10 ? (digits[n] as string) : `${n >= 20 ? digits[Math.floor(n / 10)] : ""}十${n % 10 === 0 ? "" : digits[n % 10]}`

/** 成文日期: "2026年5月8日", or "二〇二六年五月八日"; English "8 May 2026". */
export const documentDate = (
  date: Date,
  options: { timeZone?: string; chineseNumerals?: boolean; lang?: "zh" | "en" } = {},
): string => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: options.timeZone ?? "Asia/Shanghai",
      year: "numeric",
      month: "numeric",
      day: "numeric",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  )
  const [y, m, d] = [parts.year ?? "", Number(parts.month), Number(parts.day)]
  if (options.lang === "en") {
    const month = new Intl.DateTimeFormat("en-GB", { timeZone: options.timeZone ?? "Asia/Shanghai", month: "long" })
    return `${d} ${month.format(date)} ${y}`
  }
  if (options.chineseNumerals === true)
    return `${[...y].map((c) => digits[Number(c)]).join("")}年${tens(m)}月${tens(d)}日`
  return `${y}年${m}月${d}日`
}

const chineseNumeral = (n: number) => tens(n)

/** The number printed before a heading of `level`, the `n`-th of its level (from 1). */
export const headingNumber = (level: 1 | 2 | 3 | 4, n: number, lang: "zh" | "en"): string => {
  if (lang === "en") return level === 1 ? `${n}. ` : level === 2 ? `(${n}) ` : level === 3 ? `${n}. ` : `(${n}) `
  return level === 1
    ? `${chineseNumeral(n)}、`
    : level === 2
      ? `（${chineseNumeral(n)}）`
      : level === 3
        ? `${n}.`
        : `（${n}）`
}

// The appendix labels carry their own "附表一 " numbering; the attachment line numbers them instead.
const bare = (label: string) => label.replace(/^(?:附表[一二三四五六七八九十]+|Appendix \d+\.)\s*/u, "")

/** Builds the 公文 tree of a summary. */
export const buildDocument = (model: SummaryModel, options: DocumentOptions = {}): GovDocument => {
  const lang = model.lang
  const body: DocBlock[] = [{ level: 0, number: "", text: model.opening }]
  for (const [n, section] of model.sections.entries()) {
    body.push({ level: 1, number: model.labels.sectionNumber(section.number, n + 1), text: section.heading })
    if (section.lead !== null) body.push({ level: 0, number: "", text: section.lead })
    let sub = 0
    let item = 0
    for (const it of section.items) {
      if (it.heading != null && it.heading !== "") {
        sub++
        item = 0
        body.push({ level: 2, number: headingNumber(2, sub, lang), text: it.heading })
      }
      item++
      // A lone item needs no number; numbered items read "1." (GB/T 9704 third level), not "1、".
      const numbered = section.items.length > 1
      body.push({ level: 0, number: numbered ? headingNumber(3, item, lang) : "", text: it.text })
    }
  }
  // A campaign with no closing words has no closing paragraph, not an empty one.
  if (model.closing !== "") body.push({ level: 0, number: "", text: model.closing })
  const attachments: DocAttachment[] = [
    { label: lang === "en" ? "Attachment 1" : "附件1", title: bare(model.labels.appendixTotals), kind: "totals" },
    { label: lang === "en" ? "Attachment 2" : "附件2", title: bare(model.labels.appendixUnits), kind: "units" },
  ]
  const lead = lang === "en" ? "Attachments: " : "附件："
  const pad = lang === "en" ? " ".repeat(lead.length) : "\u3000\u3000\u3000"
  return {
    title: model.title,
    addressee: options.addressee ?? null,
    body,
    attachmentNote: attachments.map((a, i) => `${i === 0 ? lead : pad}${i + 1}. ${a.title}`),
    issuer: model.issuer,
    date: documentDate(model.dated, {
      ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
      ...(options.chineseNumerals !== undefined ? { chineseNumerals: options.chineseNumerals } : {}),
      lang,
    }),
    attachments,
  }
}
