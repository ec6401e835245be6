/**
 * Turns the effects a pure transition asked for into rows, in the same
 * transaction as the snapshot: timers, messages to other machines, jobs for
 * the worker, notifications. Nothing is executed here; the worker picks the
 * rows up.
 */
import type { Database } from "@liandong/store"
import type { FollowUp } from "@liandong/workflow"
import { Effect } from "effect"
import { sql, type Transaction } from "kysely"
import { query } from "./Db.ts"

/** The channel workers LISTEN on; the payload is the campaign id. */
export const workChannel = "liandong_work"

const chunk = <A>(items: ReadonlyArray<A>, size: number): A[][] => {
  const out: A[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Writes the follow-ups of one step; wakes the workers when it queued work. Returns the machines it sent messages to. */
export const writeFollowUps = (
  tx: Transaction<Database>,
  context: { campaignId: string; machineId: string; unit: string | null; at: Date },
  effects: ReadonlyArray<FollowUp>,
) =>
  Effect.gen(function* () {
    const sentTo = new Set<string>()
    if (effects.length === 0) return sentTo
    const { campaignId, machineId, at } = context
    const schedules = effects.filter((e) => e.type === "schedule")
    const cancels = effects.filter((e) => e.type === "cancel")
    const sends = effects.filter((e) => e.type === "send")
    const notices = effects.filter((e) => e.type === "notify")
    const summarize = effects.some((e) => e.type === "summarize")

    for (const batch of chunk(schedules, 500)) {
      yield* query(
        "timers.schedule",
        (db) =>
          db
            .insertInto("timers")
            .values(
              batch.map((s) => ({
                campaign_id: campaignId,
                machine_id: machineId,
                key: s.key,
                due_at: s.at,
                event: JSON.stringify({ ...s.event, at: new Date(s.at).toISOString() }),
                status: "pending" as const,
              })),
            )
            .onConflict((oc) => oc.columns(["machine_id", "key"]).doNothing())
            .execute(),
        tx,
      )
    }

    if (cancels.length > 0) {
      // Skip timers a worker holds right now: it will find the event no longer accepted and mark it moot.
      yield* query(
        "timers.cancel",
        (db) =>
          db
            .updateTable("timers")
            .set({ status: "cancelled", done_at: at })
            .where(
              "id",
              "in",
              db
                .selectFrom("timers")
                .select("id")
                .where("machine_id", "=", machineId)
                .where("status", "=", "pending")
                .where(
                  "key",
                  "in",
                  cancels.map((c) => c.key),
                )
                .forUpdate()
                .skipLocked(),
            )
            .execute(),
        tx,
      )
    }

    if (sends.length > 0) {
      const unitTargets = [...new Set(sends.flatMap((s) => ("unit" in s.to ? [s.to.unit] : [])))]
      const ids = new Map<string, string>()
      for (const batch of chunk(unitTargets, 1000)) {
        const rows = yield* query(
          "machines.resolve",
          (db) =>
            db
              .selectFrom("machines")
              .select(["id", "unit_key"])
              .where("campaign_id", "=", campaignId)
              .where("unit_key", "in", batch)
              .execute(),
          tx,
        )
        for (const row of rows) ids.set(row.unit_key as string, row.id)
      }
      if (sends.some((s) => "campaign" in s.to)) {
        const row = yield* query(
          "machines.resolveCampaign",
          (db) =>
            db
              .selectFrom("machines")
              .select("id")
              .where("campaign_id", "=", campaignId)
              .where("kind", "=", "campaign")
              .executeTakeFirstOrThrow(),
          tx,
        )
        ids.set("", row.id)
      }
      for (const id of ids.values()) sentTo.add(id)
      const rows = sends.map((s) => ({
        campaign_id: campaignId,
        machine_id: ids.get("unit" in s.to ? s.to.unit : "") ?? null,
        kind: "event" as const,
        dedupe_key: `${campaignId}:${s.dedupe}`,
        event: JSON.stringify({ ...s.event, at: at.toISOString() }),
        status: "pending" as const,
        available_at: at,
      }))
      for (const batch of chunk(rows, 500)) {
        yield* query(
          "messages.send",
          (db) =>
            db
              .insertInto("messages")
              .values(batch)
              .onConflict((oc) => oc.column("dedupe_key").doNothing())
              .execute(),
          tx,
        )
      }
    }

    if (summarize) {
      yield* query(
        "messages.summarize",
        (db) =>
          db
            .insertInto("messages")
            .values({
              campaign_id: campaignId,
              machine_id: machineId,
              kind: "summary",
              dedupe_key: `${campaignId}:summary`,
              event: JSON.stringify({ type: "summary.write", at: at.toISOString() }),
              status: "pending",
              available_at: at,
            })
            .onConflict((oc) => oc.column("dedupe_key").doNothing())
            .execute(),
        tx,
      )
    }

    if (notices.length > 0) {
      yield* query(
        "notifications.add",
        (db) =>
          db
            .insertInto("notifications")
            .values(
              notices.map((n) => ({
                campaign_id: campaignId,
                unit_key: n.unit,
                kind: n.kind,
                body: JSON.stringify({ task: n.task ?? null, phase: n.phase ?? null, at: at.toISOString() }),
              })),
            )
            .execute(),
        tx,
      )
    }

    if (schedules.length > 0 || sends.length > 0 || summarize) {
      yield* query("work.notify", (db) => sql`select pg_notify(${workChannel}, ${campaignId})`.execute(db), tx)
    }
    return sentTo
  })
