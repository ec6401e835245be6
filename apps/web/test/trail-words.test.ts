/**
 * Every kind of journal row reads in the reader's language: the tour is run
 * through the engine on an embedded database — deployed, started, its phases
 * opened and closed by timers and messages, a report submitted, returned,
 * resubmitted and approved, reminders and a deadline passing, a phase closed
 * early, refused attempts of every kind, the summary written — and each row of
 * its trail, as the API sends it, is put into words in Chinese and in English.
 * The Chinese holds no English word or raw key, the English no Chinese where a
 * translation exists; only ids, addresses and a person's own words stay as written.
 */

import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TrailEntry } from "@liandong/api"
import { tour } from "@liandong/campaigns"
import { checkpointNow, trail } from "@liandong/engine/audit"
import {
  acknowledge,
  addPrincipal,
  approve,
  closePhase,
  deploy,
  returnReport,
  startCampaign,
  submitReport,
} from "@liandong/engine/commands"
import { journalLines, listCheckpoints, summaryFor, verification } from "@liandong/engine/reads"
import { Clock, engineLayer, loadActor, operator, provisionSigningKey } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { normalizeCampaign } from "@liandong/workflow"
import { Effect, Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { type Language, messages } from "../src/i18n/Messages.ts"
import { entryWords } from "../src/screens/audit/EntryWords.ts"

const people = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city-ipo" },
  { id: "east", name: "东区联络员", role: "unit", unit: "east-district" },
  { id: "west", name: "西区联络员", role: "unit", unit: "west-district" },
  { id: "audit", name: "审计员", role: "auditor" },
] as const

const task = "tour-2026/east-district/brochures"
const reason = "请补充发放地点,并核实份数"

/** Runs the tour through every kind of journal row; returns its trail as the API sends it. */
const playTour = Effect.gen(function* () {
  const clock = yield* Clock
  const at = (time: string) => clock.set(new Date(time))
  const { campaign } = yield* deploy(tour, operator)
  for (const person of people) yield* addPrincipal(person, operator)
  const [lead, east, west, audit] = yield* Effect.all(people.map((p) => loadActor(p.id)))
  if (!lead || !east || !west || !audit) throw new Error("principals missing")
  const refused = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.ignore(effect)
  yield* refused(startCampaign(campaign, east))
  yield* startCampaign(campaign, lead)
  yield* runUntilIdle(new Date("2026-04-14T09:00:00+08:00"))
  yield* at("2026-04-14T10:00:00+08:00")
  yield* refused(acknowledge(task, west))
  yield* acknowledge(task, east)
  const first = yield* submitReport(
    task,
    { figures: { brochures: "1200" }, narrative: { narrative: "设点发放" } },
    east,
  )
  yield* refused(approve(first.report, east))
  yield* refused(closePhase(campaign, "publicity", east))
  yield* returnReport(first.report, reason, lead)
  const second = yield* submitReport(
    task,
    { figures: { brochures: "1300" }, narrative: { narrative: "设点发放" } },
    east,
  )
  yield* approve(second.report, lead)
  yield* refused(checkpointNow(campaign, east))
  yield* refused(summaryFor(campaign, east))
  yield* refused(verification(campaign, east))
  yield* refused(journalLines(campaign, east))
  yield* refused(listCheckpoints(campaign, east))
  // West never reports: reminded, then overdue; the coordinator closes the phase early.
  yield* runUntilIdle(new Date("2026-04-25T09:00:00+08:00"))
  yield* closePhase(campaign, "publicity", lead)
  yield* runUntilIdle(new Date("2026-05-11T00:00:00+08:00"))
  const entries = yield* trail(campaign, audit)
  return entries.map((entry) => Schema.decodeUnknownSync(TrailEntry)(entry))
}).pipe(
  Effect.provide(
    engineLayer({
      now: "2026-04-12T09:00:00+08:00",
      logLevel: "warn",
      store: { dataDir: "memory://" },
      // A key of its own, as a deployment provisions one.
      keyFile: provisionSigningKey(join(mkdtempSync(join(tmpdir(), "liandong-trail-")), "checkpoint.pem")).path,
    }),
  ),
)

const definition = normalizeCampaign(tour as never)

/** Names in a language, as the audit screen makes them (Chinese where the definition has no English). */
const namesIn = (lang: Language) => {
  const pick = (text: { zh: string; en?: string | null | undefined }) => (lang === "en" && text.en ? text.en : text.zh)
  const units = new Map(definition.units.map((u) => [u.key, pick({ zh: u.name, en: u.nameEn })]))
  const phases = new Map(definition.phases.map((p) => [p.key, pick(p.name)]))
  const tasks = new Map(definition.phases.flatMap((p) => p.tasks.map((t) => [t.key, pick(t.title)])))
  return {
    unit: (key: string | null) => (key === null ? "" : (units.get(key) ?? key)),
    phase: (key: string) => phases.get(key) ?? key,
    task: (key: string | null) => (key === null ? "" : (tasks.get(key) ?? key)),
  }
}

/** Everything an entry shows, as one line. */
const shown = (entry: TrailEntry, lang: Language) => {
  const w = entryWords(entry, messages[lang], namesIn(lang))
  return [
    w.event,
    ...w.subject,
    w.actor,
    w.role,
    w.actorUnit ?? "",
    w.cause,
    ...w.changes.map((c) => `${c.region} ${c.from} → ${c.to}`),
    ...w.notes,
  ].join(" | ")
}

/** Removes what stays as written in any language: ids, addresses, unit names without English, people's names and words. */
const withoutVerbatim = (line: string) => {
  let rest = line
  for (const verbatim of [
    reason,
    // the 审批意见 an approval records when none is written: the reviewer's words, as recorded
    "同意",
    "tour-2026/east-district/brochures",
    "tour-2026",
    ...definition.units.filter((u) => !u.nameEn).map((u) => u.name),
    ...people.map((p) => p.name),
    ...people.map((p) => p.id),
  ])
    rest = rest.replaceAll(verbatim, "")
  return rest
}

describe("the trail in words", () => {
  let entries: TrailEntry[]

  beforeAll(async () => {
    entries = await Effect.runPromise(playTour)
  })

  it("holds every kind of row: commands, timers, messages, refusals, deployment, the summary", () => {
    expect(new Set(entries.map((e) => e.event))).toEqual(
      new Set([
        "campaign.deployed",
        "campaign.start",
        "phase.due",
        "phase.open",
        "task.acknowledge",
        "task.submit",
        "task.return",
        "task.approve",
        "task.remind",
        "task.deadline",
        "unit.phase-done",
        "phase.force-close",
        "phase.close",
        "phase.deadline",
        "summary.written",
        "access.denied",
      ]),
    )
    expect(new Set(entries.map((e) => e.cause.split(":")[0]))).toEqual(
      new Set(["deploy", "command", "denied", "timer", "message", "summary"]),
    )
    expect(new Set(entries.flatMap((e) => (e.note.refusal ? [e.note.refusal.action] : [])))).toEqual(
      new Set([
        "start",
        "acknowledge",
        "approve",
        "close-phase",
        "checkpoint",
        "summary",
        "audit.verify",
        "audit.export",
        "audit.checkpoints",
      ]),
    )
  })

  it("reads in Chinese with no English word or raw key", () => {
    const english = entries
      .map((e) => `#${e.seq} ${shown(e, "zh")}`)
      .filter((line) => /[A-Za-z]/.test(withoutVerbatim(line.replace(/^#\d+/, ""))))
    expect(english).toEqual([])
  })

  it("reads in English with no Chinese where a translation exists", () => {
    const chinese = entries
      .map((e) => `#${e.seq} ${shown(e, "en")}`)
      .filter((line) => /\p{Script=Han}/u.test(withoutVerbatim(line)))
    expect(chinese).toEqual([])
  })

  it("names reports, reasons and refusals in the reader's language", () => {
    const submitted = entries.find((e) => e.event === "task.submit") as TrailEntry
    const number = submitted.note.report as string
    expect(entryWords(submitted, messages.zh, namesIn("zh")).notes).toEqual([`报送 ${number}`])
    expect(entryWords(submitted, messages.en, namesIn("en")).notes).toEqual([`report ${number}`])
    const returned = entries.find((e) => e.event === "task.return") as TrailEntry
    expect(entryWords(returned, messages.zh, namesIn("zh")).notes).toEqual([`报送 ${number}`, `退回原因：${reason}`])
    const approved = entries.find((e) => e.event === "task.approve") as TrailEntry
    expect(entryWords(approved, messages.zh, namesIn("zh")).notes).toContain("审批意见：同意")
    expect(entryWords(approved, messages.en, namesIn("en")).notes).toContain("Comment: 同意")
    const refusal = entries.find((e) => e.note.refusal?.action === "approve") as TrailEntry
    const zh = entryWords(refusal, messages.zh, namesIn("zh"))
    expect(zh.notes[0]).toBe(`被拒绝的操作：审核通过（报送 ${number}）`)
    expect(zh.notes[1]).toMatch(/^原因：.*无权/)
    // A person is named as the directory has them, not by id.
    expect(zh.actor).toBe(people.find((p) => p.id === "east")?.name)
    expect(zh.cause).toBe("权限检查")
    const timer = entries.find((e) => e.event === "task.remind") as TrailEntry
    expect(entryWords(timer, messages.zh, namesIn("zh")).actor).toBe("系统")
    expect(entryWords(timer, messages.zh, namesIn("zh")).cause).toMatch(/^定时器 #\d+$/)
    expect(entryWords(timer, messages.en, namesIn("en")).cause).toMatch(/^timer #\d+$/)
  })

  it("says so when a refusal was recorded with its English reason only", () => {
    const refusal = entries.find((e) => e.note.refusal !== null) as TrailEntry
    const older = { ...refusal, note: { ...refusal.note, refusal: { ...refusal.note.refusal!, zh: null } } }
    expect(entryWords(older, messages.zh, namesIn("zh")).notes[1]).toBe(
      `原因（仅有英文记录）：${refusal.note.refusal?.en}`,
    )
  })
})
