/**
 * Gathering the evidence of a campaign — from the database, or from an export
 * directory — and writing an export: journal.jsonl, checkpoints.json,
 * machines.json, definitions.json and the public key(s). Online verification
 * reads the journal page by page instead, so it never holds it whole.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { JournalRow } from "@liandong/store"
import { type Campaign, canonicalJson } from "@liandong/workflow"
import { Effect } from "effect"
import { sql } from "kysely"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { query, transaction } from "../Db.ts"
import { InvalidInput, NotAllowed } from "../Errors.ts"
import { visibleCampaign } from "../Queries.ts"
import { checkpointOf } from "./Checkpoint.ts"
import { Signer } from "./Signer.ts"
import { type Evidence, type JournalRecord, journalVerifier, type Premises, verdictOf } from "./Verify.ts"

/** A journal row as an exported record (times as ISO text). */
export const recordOf = (row: JournalRow): JournalRecord => ({
  campaign_id: row.campaign_id,
  seq: row.seq,
  machine_id: String(row.machine_id),
  unit_key: row.unit_key,
  actor: row.actor,
  role: row.role,
  actor_unit: row.actor_unit,
  cause: row.cause,
  idempotency_key: row.idempotency_key,
  event: row.event,
  payload: row.payload,
  state_before: row.state_before,
  state_after: row.state_after,
  occurred_at: new Date(row.occurred_at).toISOString(),
  recorded_at: new Date(row.recorded_at).toISOString(),
  prev_hash: row.prev_hash,
  hash: row.hash,
})

/** Fails unless the actor may audit the campaign: its coordinator, an auditor or the operator. */
export const requireAuditor = (actor: Actor, campaign: Campaign) =>
  manages(actor, campaign) || (actor.kind === "principal" && actor.role === "auditor")
    ? Effect.void
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action: "audit",
          zh: "只有审计人员和牵头单位可以核验和导出日志",
          en: "only auditors and the coordinator may verify or export the journal",
        }),
      )

/** The campaign's evidence as the database holds it. */
export const loadEvidence = (campaignId: string, actor: Actor) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireAuditor(actor, loaded.definition)
    const signer = yield* Signer
    const [rows, checkpoints, machines, definitions] = yield* Effect.all([
      query("audit.journal", (db) =>
        db.selectFrom("journal").selectAll().where("campaign_id", "=", campaignId).orderBy("seq").execute(),
      ),
      query("audit.checkpoints", (db) =>
        db.selectFrom("checkpoints").selectAll().where("campaign_id", "=", campaignId).orderBy("id").execute(),
      ),
      query("audit.machines", (db) =>
        db
          .selectFrom("machines")
          .select(["id", "kind", "unit_key", "machine_hash", "snapshot"])
          .where("campaign_id", "=", campaignId)
          .orderBy("id")
          .execute(),
      ),
      query("audit.definitions", (db) =>
        db.selectFrom("definitions").select(["hash", "body"]).where("key", "=", campaignId).execute(),
      ),
    ])
    return {
      campaign: campaignId,
      rows: rows.map(recordOf),
      checkpoints: checkpoints.map(checkpointOf),
      keys: { [signer.keyId]: signer.publicKeyPem },
      definitions: Object.fromEntries(definitions.map((d) => [d.hash, d.body as Campaign])),
      machines: machines.map((m) => ({
        id: m.id,
        kind: m.kind,
        unit: m.unit_key,
        definitionHash: m.machine_hash,
        snapshot: m.snapshot,
      })),
      claimedLength: loaded.row.journal_seq,
    } satisfies Evidence
  })

/** Rows read at a time: enough to keep round trips few, few enough to keep memory flat. */
export interface PageSizes {
  readonly journal: number
  readonly machines: number
}

/**
 * Verifies a campaign as the database holds it, in one read-only snapshot: the
 * journal streams through the chain, checkpoint and replay checks a page at a
 * time (by seq), then the machines' stored snapshots a page at a time (by id).
 * `outside` replaces the stored checkpoints with ones kept elsewhere.
 */
export const verifyStored = (
  campaignId: string,
  actor: Actor,
  outside?: Pick<Evidence, "checkpoints" | "keys">,
  pages: PageSizes = { journal: 1000, machines: 500 },
) =>
  Effect.gen(function* () {
    const loaded = yield* visibleCampaign(campaignId, actor)
    yield* requireAuditor(actor, loaded.definition)
    const signer = yield* Signer
    return yield* transaction("audit.verify", (tx) =>
      Effect.gen(function* () {
        // Pages read later see the journal and the machines as the first one did.
        yield* query(
          "audit.snapshot",
          (db) => sql`set transaction isolation level repeatable read, read only`.execute(db),
          tx,
        )
        const campaign = yield* query(
          "audit.length",
          (db) =>
            db.selectFrom("campaigns").select("journal_seq").where("id", "=", campaignId).executeTakeFirstOrThrow(),
          tx,
        )
        const stored = yield* query(
          "audit.checkpoints",
          (db) =>
            db.selectFrom("checkpoints").selectAll().where("campaign_id", "=", campaignId).orderBy("id").execute(),
          tx,
        )
        const machines = yield* query(
          "audit.machines",
          (db) =>
            db
              .selectFrom("machines")
              .select(["id", "kind", "unit_key", "machine_hash"])
              .where("campaign_id", "=", campaignId)
              .orderBy("id")
              .execute(),
          tx,
        )
        const definitions = yield* query(
          "audit.definitions",
          (db) => db.selectFrom("definitions").select(["hash", "body"]).where("key", "=", campaignId).execute(),
          tx,
        )
        const ownKeys = { [signer.keyId]: signer.publicKeyPem }
        const premises: Premises = {
          campaign: campaignId,
          checkpoints: outside?.checkpoints ?? stored.map(checkpointOf),
          keys: outside === undefined ? ownKeys : { ...ownKeys, ...outside.keys },
          definitions: Object.fromEntries(definitions.map((d) => [d.hash, d.body as Campaign])),
          machines: machines.map((m) => ({ id: m.id, kind: m.kind, unit: m.unit_key, definitionHash: m.machine_hash })),
          claimedLength: campaign.journal_seq,
        }
        const verifier = journalVerifier(premises)
        let seq: number | undefined
        for (;;) {
          const after = seq
          const page = yield* query(
            "audit.journal",
            (db) =>
              db
                .selectFrom("journal")
                .selectAll()
                .where("campaign_id", "=", campaignId)
                .$if(after !== undefined, (q) => q.where("seq", ">", after as number))
                .orderBy("seq")
                .limit(pages.journal)
                .execute(),
            tx,
          )
          for (const row of page) verifier.push(recordOf(row))
          if (page.length < pages.journal) break
          seq = page[page.length - 1]?.seq
        }
        const findings = [...verifier.end()]
        let id: string | undefined
        for (;;) {
          const after = id
          const page = yield* query(
            "audit.snapshots",
            (db) =>
              db
                .selectFrom("machines")
                .select(["id", "kind", "unit_key", "machine_hash", "snapshot"])
                .where("campaign_id", "=", campaignId)
                .$if(after !== undefined, (q) => q.where("id", ">", after as string))
                .orderBy("id")
                .limit(pages.machines)
                .execute(),
            tx,
          )
          for (const m of page)
            findings.push(
              ...verifier.settle({
                id: m.id,
                kind: m.kind,
                unit: m.unit_key,
                definitionHash: m.machine_hash,
                snapshot: m.snapshot,
              }),
            )
          if (page.length < pages.machines) break
          id = page[page.length - 1]?.id
        }
        return verdictOf(
          { rows: verifier.rows(), checkpoints: premises.checkpoints.length, machines: machines.length },
          findings,
        )
      }),
    )
  })

/** Writes evidence to a directory an auditor can take away. */
export const writeExport = (dir: string, evidence: Evidence) =>
  Effect.promise(async () => {
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, "journal.jsonl"), evidence.rows.map((r) => `${canonicalJson(r)}\n`).join(""), "utf8")
    await writeFile(join(dir, "checkpoints.json"), `${JSON.stringify(evidence.checkpoints, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "machines.json"), `${JSON.stringify(evidence.machines, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "definitions.json"), `${JSON.stringify(evidence.definitions, null, 2)}\n`, "utf8")
    await writeFile(join(dir, "keys.json"), `${JSON.stringify(evidence.keys, null, 2)}\n`, "utf8")
    for (const [keyId, pem] of Object.entries(evidence.keys))
      await writeFile(join(dir, `public-key-${keyId}.pem`), pem, "utf8")
    await writeFile(
      join(dir, "manifest.json"),
      `${JSON.stringify({ campaign: evidence.campaign, rows: evidence.rows.length, checkpoints: evidence.checkpoints.length, exportedAt: new Date().toISOString() }, null, 2)}\n`,
      "utf8",
    )
  })

const readJson = (path: string) =>
  Effect.tryPromise({
    try: async () => JSON.parse(await readFile(path, "utf8")) as unknown,
    catch: (error) =>
      new InvalidInput({
        problems: [{ path, zh: `无法读取导出文件:${String(error)}`, en: `cannot read the export: ${String(error)}` }],
      }),
  })

/** Reads an export directory back; `checkpoints` may name checkpoints kept elsewhere, to check against instead. */
export const readExport = (dir: string, checkpointsFile?: string) =>
  Effect.gen(function* () {
    const manifest = (yield* readJson(join(dir, "manifest.json"))) as { campaign: string }
    const text = yield* Effect.tryPromise({
      try: () => readFile(join(dir, "journal.jsonl"), "utf8"),
      catch: (error) =>
        new InvalidInput({
          problems: [
            { path: dir, zh: `无法读取日志:${String(error)}`, en: `cannot read the journal: ${String(error)}` },
          ],
        }),
    })
    const rows = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as JournalRecord)
    return {
      campaign: manifest.campaign,
      rows,
      checkpoints: (yield* readJson(checkpointsFile ?? join(dir, "checkpoints.json"))) as Evidence["checkpoints"],
      keys: (yield* readJson(join(dir, "keys.json"))) as Evidence["keys"],
      definitions: (yield* readJson(join(dir, "definitions.json"))) as Evidence["definitions"],
      machines: (yield* readJson(join(dir, "machines.json"))) as Evidence["machines"],
    } satisfies Evidence
  })
