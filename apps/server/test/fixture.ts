/**
 * The world the server tests run in: two campaigns, a coordinator, two units
 * and a county under one of them, an auditor, and a second city's campaign
 * nobody else takes part in; reports in every state; tokens for each
 * principal, one expired and one revoked. Each unit's report carries a marker
 * that must never reach a principal who may not read that unit, and a file
 * (佐证材料) named after that marker.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { crc32, deflateSync } from "node:zlib"
import {
  acknowledge,
  addPrincipal,
  approve,
  createToken,
  deploy,
  returnReport,
  revokeToken,
  startCampaign,
  submitReport,
  uploadAttachment,
} from "@liandong/engine/commands"
import {
  type Actor,
  Clock,
  type Db,
  Log,
  loadActor,
  operator,
  provisionSigningKey,
  Signer,
  storeLayer,
} from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import type { Store } from "@liandong/store"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { sql } from "kysely"
import { pino } from "pino"

const phases = (units: string[]) => [
  {
    key: "publicity",
    opensAt: "2026-04-13",
    closesAt: "2026-04-30",
    gate: "date",
    tasks: [
      {
        key: "brochures",
        title: { zh: "发放宣传资料", en: "Hand out brochures" },
        assign: { units },
        deadline: "2026-04-24T18:00",
        reminders: ["P1D"],
        figures: [
          { key: "brochures", label: { zh: "发放宣传资料", en: "brochures" }, measure: "份", required: true },
          {
            key: "hours",
            label: { zh: "志愿服务时长", en: "volunteer hours" },
            measure: "小时",
            kind: "decimal",
            max: 1000,
          },
        ],
      },
      {
        key: "events",
        title: { zh: "举办宣传活动", en: "Hold events" },
        assign: { units },
        deadline: "2026-04-28T18:00",
        figures: [{ key: "attendees", label: { zh: "参加人数", en: "attendees" }, measure: "人次" }],
      },
    ],
  },
  {
    key: "wrap",
    name: { zh: "总结", en: "wrap-up" },
    opensAt: "2026-05-01",
    closesAt: "2026-05-10",
    gate: "date",
    tasks: [
      { key: "wrap-up", title: { zh: "报送总结", en: "Report the week" }, assign: { units }, deadline: "2026-05-08" },
    ],
  },
]

/** The campaign every matrix row is about. */
export const mainCampaign = {
  key: "matrix-main",
  title: "矩阵宣传周",
  timeZone: "Asia/Shanghai",
  coordinator: "city",
  units: [
    { key: "city", name: "甲市知识产权局", role: "host", level: "city" },
    { key: "district-a", name: "甲区分局", role: "subordinate", parent: "city", level: "county" },
    { key: "district-b", name: "乙区分局", role: "subordinate", parent: "city", level: "county" },
    { key: "county-a1", name: "甲一县分局", role: "subordinate", parent: "district-a", level: "county" },
  ],
  phases: phases(["district-a", "district-b", "county-a1"]),
}

/** Another city's campaign: only its own principals and the auditor may know it. */
export const otherCampaign = {
  key: "matrix-other",
  title: "外市宣传周",
  timeZone: "Asia/Shanghai",
  coordinator: "other-city",
  units: [
    { key: "other-city", name: "丙市知识产权局", role: "host", level: "city" },
    { key: "other-district", name: "丙区分局", role: "subordinate", parent: "other-city", level: "county" },
  ],
  phases: phases(["other-district"]),
}

/** Who acts. */
export const principals = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city" },
  { id: "unit-a", name: "甲区联络员", role: "unit", unit: "district-a" },
  { id: "unit-b", name: "乙区联络员", role: "unit", unit: "district-b" },
  { id: "county", name: "甲一县联络员", role: "unit", unit: "county-a1" },
  { id: "auditor", name: "审计员", role: "auditor" },
  { id: "other-lead", name: "丙市局长", role: "coordinator", unit: "other-city" },
  { id: "other-unit", name: "丙区联络员", role: "unit", unit: "other-district" },
] as const

/** What may never reach a principal who cannot read the unit: its name and its report's marker. */
export const markers: Record<string, ReadonlyArray<string>> = {
  "district-a": ["甲区分局", "甲区秘闻"],
  "district-b": ["乙区分局", "乙区秘闻"],
  "county-a1": ["甲一县分局", "甲一县秘闻"],
  "other-district": ["丙区分局", "丙区秘闻"],
}

/** The clock the seeding ends at; the server's clock starts there. */
export const seededAt = "2026-04-20T10:00:00+08:00"

type Services = Db | Clock | Log | Signer

/** A signing key made for a test in a folder of its own, as `liandong keys init` makes one; its file. */
export const newKeyFile = (): string =>
  provisionSigningKey(join(mkdtempSync(join(tmpdir(), "liandong-key-")), "checkpoint.pem")).path

/** The engine services over a store; the signing key in `keyFile`, so every process checks the same key. */
export const engineServices = (store: Store, keyFile: string, at: string) =>
  Layer.mergeAll(
    storeLayer(store),
    Clock.simulatedAt(new Date(at)),
    Log.of_(pino({ level: "silent" })),
    Signer.fromFile(keyFile),
  )

/** What seeding leaves behind. */
export interface Seeded {
  readonly keyFile: string
  readonly tokens: Record<string, string>
  /** report ids by unit */
  readonly reports: Record<string, string>
  /** by unit: the id of the file its report carries */
  readonly attachments: Record<string, string>
}

/** A `width` × `height` PNG of one colour (a photo, as far as the server can tell). */
export const pngOf = (width: number, height: number, rgb: readonly [number, number, number]): Buffer => {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), data])))
    return Buffer.concat([length, Buffer.from(type, "ascii"), data, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk("IEND", Buffer.alloc(0)),
  ])
}

/** A one-page PDF, as small as a reader accepts. */
export const tinyPdf = (text: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% ${text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`,
    "latin1",
  )

/** Deploys and plays both campaigns up to `seededAt`, and issues the tokens. */
export const seed = async (store: Store): Promise<Seeded> => {
  const keyFile = newKeyFile()
  const runtime = ManagedRuntime.make(engineServices(store, keyFile, "2026-04-12T09:00:00+08:00"))
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const as = (id: string) => run(loadActor(id))
  try {
    await run(deploy(mainCampaign, operator))
    await run(deploy(otherCampaign, operator))
    for (const p of principals) await run(addPrincipal(p, operator))
    const tokens: Record<string, string> = {}
    for (const p of principals) tokens[p.id] = (await run(createToken(p.id, {}, operator))).token
    const expiring = await run(createToken("unit-a", { expiresInDays: 1 }, operator))
    // Expiry is on the wall clock: this one ran out an hour ago, whatever the campaign's calendar says.
    await sql`update tokens set expires_at = now() - interval '1 hour' where id = ${expiring.id}`.execute(store.db)
    tokens.expired = expiring.token
    const revoked = await run(createToken("unit-a", {}, operator))
    await run(revokeToken(revoked.id, operator))
    tokens.revoked = revoked.token
    await run(startCampaign("matrix-main", await as("lead")))
    await run(startCampaign("matrix-other", await as("other-lead")))
    await run(
      Effect.gen(function* () {
        const clock = yield* Clock
        yield* clock.set(new Date("2026-04-13T09:00:00+08:00"))
        yield* runUntilIdle(new Date("2026-04-13T09:00:00+08:00"))
      }),
    )
    const reports: Record<string, string> = {}
    const attachments: Record<string, string> = {}
    const report = async (campaign: string, unit: string, principal: Actor, marker: string, brochures: number) => {
      await run(acknowledge(`${campaign}/${unit}/brochures`, principal))
      const file = await run(
        uploadAttachment(
          `${campaign}/${unit}/brochures`,
          `${marker}.pdf`,
          Stream.make(new Uint8Array(tinyPdf(unit))),
          principal,
        ),
      )
      const submitted = await run(
        submitReport(
          `${campaign}/${unit}/brochures`,
          {
            figures: { brochures, hours: "12.5" },
            narrative: { narrative: `${marker}:在街道设点发放` },
            attachments: [file.id],
          },
          principal,
        ),
      )
      reports[unit] = submitted.report
      attachments[unit] = file.id
    }
    const lead = await as("lead")
    await report("matrix-main", "district-a", await as("unit-a"), "甲区秘闻", 7771)
    await run(approve(reports["district-a"] as string, lead))
    await run(acknowledge("matrix-main/district-a/events", await as("unit-a")))
    await report("matrix-main", "district-b", await as("unit-b"), "乙区秘闻", 7772)
    await report("matrix-main", "county-a1", await as("county"), "甲一县秘闻", 7773)
    await run(returnReport(reports["county-a1"] as string, "请补充活动照片", lead))
    await report("matrix-other", "other-district", await as("other-unit"), "丙区秘闻", 7779)
    return { keyFile, tokens, reports, attachments }
  } finally {
    await runtime.dispose()
  }
}
