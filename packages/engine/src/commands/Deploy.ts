/**
 * Deploys a campaign definition: validates it, records the version with its
 * content hash, writes its units (the campaign's own rows), and creates one
 * machine per participating unit plus the campaign's. A campaign not yet
 * started may be redeployed with a changed definition; a started one changes
 * by plan and apply (Change.ts).
 * Only the operator or the coordinator of both the existing campaign and the
 * new definition may deploy over a campaign; a refusal is journaled in its chain.
 */
import {
  type Campaign,
  campaignHash,
  campaignWarnings,
  decodeCampaign,
  initial,
  type Problem,
  unitView,
} from "@liandong/workflow"
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { manages } from "../Authz.ts"
import { journalDenial } from "../audit/Denials.ts"
import { Clock } from "../Clock.ts"
import { query, type Tx } from "../Db.ts"
import { compiledFor, type LoadedCampaign, loadCampaign } from "../Definitions.ts"
import { CampaignState, InvalidInput, NotAllowed } from "../Errors.ts"
import { appendJournal, journaled } from "../Journal.ts"
import { taskRow } from "../Step.ts"
import {
  campaignExists,
  campaignRow,
  clearCampaignRows,
  insertCampaign,
  insertDefinition,
  insertMachines,
  insertTasks,
  lockCampaignForDeploy,
  repinCampaign,
} from "../sql/Deploy.ts"
import { chunks, writeUnits } from "./DeployUnits.ts"

/** What a deployment reports back. */
export interface Deployed {
  readonly campaign: string
  readonly version: number
  readonly hash: string
  readonly units: number
  readonly unchanged: boolean
  /** what deploys but is probably a mistake (two units of one name, a unit with no task) */
  readonly warnings: ReadonlyArray<Problem>
}

const createMachines = (tx: Tx, loaded: LoadedCampaign, at: Date) =>
  Effect.gen(function* () {
    const campaignId = loaded.row.id
    const campaignStart = initial(loaded.compiled.campaignMachine())
    const [campaignMachine] = yield* query(
      "machines.createCampaign",
      (db) =>
        insertMachines(db, [
          {
            campaign_id: campaignId,
            kind: "campaign",
            unit_key: null,
            snapshot: JSON.stringify(campaignStart.snapshot),
            version: 1,
            machine_hash: loaded.hash,
            phase: null,
            status: "deployed",
            overdue: false,
            updated_at: at,
          },
        ]),
      tx,
    )
    const participants = [...new Set(loaded.definition.phases.flatMap((p) => p.participants))]
    for (const batch of chunks(participants)) {
      const started = batch.map((unit) => {
        const start = initial(loaded.compiled.unitMachine(unit))
        return { unit, snapshot: start.snapshot, view: unitView(loaded.definition, unit, start.snapshot) }
      })
      yield* query(
        "machines.createUnits",
        (db) =>
          insertMachines(
            db,
            started.map(({ unit, snapshot, view }) => ({
              campaign_id: campaignId,
              kind: "unit" as const,
              unit_key: unit,
              snapshot: JSON.stringify(snapshot),
              version: 1,
              machine_hash: loaded.hash,
              phase: view.phase,
              status: view.status,
              overdue: false,
              updated_at: at,
            })),
          ),
        tx,
      )
      const tasks = started.flatMap(({ unit, view }) => view.tasks.map((t) => taskRow(campaignId, unit, t, at)))
      // A fresh campaign (or one whose rows were just cleared for a redeploy) has no task rows yet.
      for (const rows of chunks(tasks)) yield* query("tasks.create", (db) => insertTasks(db, rows), tx)
    }
    return {
      campaignMachine: campaignMachine as string,
      units: participants.length,
      campaignSnapshot: campaignStart.snapshot,
    }
  })

/** The new definition names a coordinator the actor is not. */
const notNewCoordinator = (actor: Actor, definition: Campaign) =>
  new NotAllowed({
    actor: actor.id,
    action: "deploy",
    zh: `“${actor.id}”不是“${definition.coordinator}”的牵头人员,无权部署此活动`,
    en: `"${actor.id}" is not a coordinator of "${definition.coordinator}" and may not deploy this campaign`,
  })

/** The campaign exists and another office coordinates it. */
const notCampaignCoordinator = (actor: Actor, key: string) =>
  new NotAllowed({
    actor: actor.id,
    action: "deploy",
    zh: `“${actor.id}”不是活动“${key}”的牵头人员,无权重新部署`,
    en: `"${actor.id}" does not coordinate campaign "${key}" and may not redeploy it`,
  })

/**
 * Validates and deploys a definition. The operator, or a coordinator of the definition's
 * coordinating unit, may deploy a new campaign; over an existing one the actor must also
 * coordinate the campaign as it stands (its current definition's coordinator).
 */
export const deploy = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    const definition = yield* decodeCampaign(input).pipe(
      Effect.mapError((error) => new InvalidInput({ problems: error.problems })),
    )
    // A refused attempt on a campaign that exists goes into that campaign's chain.
    const journal = journalDenial(definition.key, actor, "deploy", definition.key)
    if (!manages(actor, definition)) {
      const refused = Effect.fail(notNewCoordinator(actor, definition))
      const exists = yield* query("campaign.exists", (db) => campaignExists(db, definition.key))
      return yield* exists ? journal(refused) : refused
    }
    const hash = campaignHash(definition)
    const at = yield* Effect.flatMap(Effect.service(Clock), (clock) => clock.now)
    return yield* journaled("deploy", (tx) =>
      Effect.gen(function* () {
        const existing = yield* query("campaign.lockForDeploy", (db) => lockCampaignForDeploy(db, definition.key), tx)
        // Checked under the campaign's lock, so a concurrent redeploy cannot change its coordinator meanwhile.
        if (existing !== undefined && !manages(actor, (yield* loadCampaign(definition.key, tx)).definition)) {
          return yield* notCampaignCoordinator(actor, definition.key)
        }
        if (existing !== undefined && existing.hash === hash) {
          return {
            campaign: definition.key,
            version: existing.version,
            hash,
            units: 0,
            unchanged: true,
            warnings: campaignWarnings(definition),
          } satisfies Deployed
        }
        if (existing !== undefined && existing.status !== "deployed") {
          return yield* new CampaignState({
            campaign: definition.key,
            status: existing.status,
            zh: `活动“${definition.key}”已启动,不能重新部署;请用 liandong plan 查看变更,再用 liandong apply --reason 应用`,
            en: `campaign "${definition.key}" has started and cannot be redeployed; see the changes with liandong plan, then apply them with liandong apply --reason`,
          })
        }
        const version = (existing?.version ?? 0) + 1
        const definitionId = yield* query(
          "definitions.insert",
          (db) => insertDefinition(db, definition.key, version, hash, definition),
          tx,
        )
        if (existing === undefined) {
          yield* query("campaigns.insert", (db) => insertCampaign(db, definition.key, definitionId), tx)
        } else {
          // Redeploying before start: the old machines never ran, so they are replaced.
          yield* query("campaign.clearForRedeploy", (db) => clearCampaignRows(db, definition.key), tx)
          yield* query("campaign.repin", (db) => repinCampaign(db, definition.key, definitionId), tx)
        }
        yield* writeUnits(tx, definition)
        const row = yield* query("campaign.reload", (db) => campaignRow(db, definition.key), tx)
        const loaded: LoadedCampaign = { row, definition, hash, compiled: compiledFor(hash, definition) }
        const created = yield* createMachines(tx, loaded, at)
        yield* appendJournal(tx, {
          campaignId: definition.key,
          machineId: created.campaignMachine,
          unit: null,
          actor,
          cause: "deploy",
          idempotencyKey: null,
          event: { type: "campaign.deployed", version, hash },
          before: null,
          after: "deployed",
          occurredAt: at,
        })
        return {
          campaign: definition.key,
          version,
          hash,
          units: created.units,
          unchanged: false,
          warnings: campaignWarnings(definition),
        } satisfies Deployed
      }),
    ).pipe(journal)
  })
