import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { journalRow, seedCampaign } from "./rows.ts"

const at = new Date("2026-03-01T08:00:00.123Z")

describeEachDatabase("every table round-trips a row", (ctx) => {
  it("directory: units and principals", async () => {
    const { db } = ctx.store()
    await db
      .insertInto("units")
      .values({ campaign_id: "c", key: "sh", name: "上海市", name_en: "Shanghai", parent_key: null, level: "province" })
      .execute()
    await db
      .insertInto("units")
      .values({ campaign_id: "c", key: "sh-pd", name: "浦东新区", name_en: null, parent_key: "sh", level: "county" })
      .execute()
    await db
      .insertInto("principals")
      .values({ id: "p1", name: "张三", role: "unit", unit_key: "sh-pd", disabled_at: null })
      .execute()
    const unit = await db.selectFrom("units").selectAll().where("key", "=", "sh-pd").executeTakeFirstOrThrow()
    expect(unit).toMatchObject({
      campaign_id: "c",
      key: "sh-pd",
      name: "浦东新区",
      name_en: null,
      parent_key: "sh",
      level: "county",
    })
    expect(unit.created_at).toBeInstanceOf(Date)
    const principal = await db.selectFrom("principals").selectAll().executeTakeFirstOrThrow()
    expect(principal).toMatchObject({ id: "p1", name: "张三", role: "unit", unit_key: "sh-pd", disabled_at: null })
  })

  it("definitions, campaigns and machines: bigint ids as strings, jsonb parsed, timestamps as Dates", async () => {
    const { db } = ctx.store()
    const { definitionId, machineId } = await seedCampaign(db)
    expect(definitionId).toBe("1")
    const definition = await db.selectFrom("definitions").selectAll().executeTakeFirstOrThrow()
    expect(definition).toMatchObject({ id: "1", key: "c", version: 1, hash: "hash-c", body: { key: "c" } })
    await db.updateTable("campaigns").set({ status: "running", started_at: at }).execute()
    const campaign = await db.selectFrom("campaigns").selectAll().executeTakeFirstOrThrow()
    expect(campaign).toMatchObject({ id: "c", definition_id: "1", status: "running", journal_seq: 0, started_at: at })
    await db
      .updateTable("machines")
      .set({ snapshot: JSON.stringify({ value: { 执法: "进行中" }, context: { n: 1.5 } }), overdue: true })
      .where("id", "=", machineId)
      .execute()
    const machine = await db.selectFrom("machines").selectAll().executeTakeFirstOrThrow()
    expect(machine).toMatchObject({
      id: machineId,
      kind: "campaign",
      unit_key: null,
      snapshot: { value: { 执法: "进行中" }, context: { n: 1.5 } },
      version: 1,
      overdue: true,
    })
  })

  it("tasks, journal, timers, messages and notifications", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    await db
      .insertInto("tasks")
      .values({
        campaign_id: "c",
        unit_key: "u",
        task_key: "t",
        phase_key: "执法",
        status: "assigned",
        deadline: at,
        overdue: false,
        reminded: 0,
        returns: 0,
        report_id: null,
        acknowledged_at: null,
        submitted_at: null,
        approved_at: null,
        updated_at: at,
      })
      .execute()
    expect(await db.selectFrom("tasks").select(["status", "deadline", "reminded"]).executeTakeFirst()).toEqual({
      status: "assigned",
      deadline: at,
      reminded: 0,
    })
    await db.insertInto("journal").values(journalRow(machineId)).execute()
    expect(
      await db
        .selectFrom("journal")
        .select(["id", "seq", "machine_id", "state_before", "occurred_at"])
        .executeTakeFirst(),
    ).toEqual({
      id: "1",
      seq: 1,
      machine_id: machineId,
      state_before: null,
      occurred_at: new Date("2026-03-01T08:00:00Z"),
    })
    await db
      .insertInto("timers")
      .values({
        campaign_id: "c",
        machine_id: machineId,
        key: "deadline:t",
        due_at: at,
        event: '{"type":"DUE"}',
        status: "pending",
      })
      .execute()
    expect(await db.selectFrom("timers").select(["key", "event", "attempts", "due_at"]).executeTakeFirst()).toEqual({
      key: "deadline:t",
      event: { type: "DUE" },
      attempts: 0,
      due_at: at,
    })
    await db
      .insertInto("messages")
      .values({
        campaign_id: "c",
        machine_id: null,
        kind: "summary",
        dedupe_key: "summary:c",
        event: "{}",
        status: "pending",
        available_at: at,
      })
      .execute()
    expect(
      await db.selectFrom("messages").select(["machine_id", "kind", "dedupe_key", "attempts"]).executeTakeFirst(),
    ).toEqual({
      machine_id: null,
      kind: "summary",
      dedupe_key: "summary:c",
      attempts: 0,
    })
    await db
      .insertInto("notifications")
      .values({ campaign_id: "c", unit_key: "u", kind: "phase-opened", body: '{"phase":"宣传"}', delivered_at: null })
      .execute()
    expect(await db.selectFrom("notifications").select(["kind", "body"]).executeTakeFirst()).toEqual({
      kind: "phase-opened",
      body: { phase: "宣传" },
    })
  })

  it("reports, figures, summaries and checkpoints", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    const report = await db
      .insertInto("reports")
      .values({
        campaign_id: "c",
        unit_key: "u",
        task_key: "t",
        attempt: 1,
        status: "submitted",
        narrative: JSON.stringify({ 概述: "检查门店12家" }),
        submitted_by: "p1",
        submitted_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("report_figures")
      .values({ report_id: report.id, figure_key: "inspected", value: "12" })
      .execute()
    expect(await db.selectFrom("reports").select(["narrative", "reviewed_by"]).executeTakeFirst()).toEqual({
      narrative: { 概述: "检查门店12家" },
      reviewed_by: null,
    })
    expect(await db.selectFrom("report_figures").selectAll().executeTakeFirst()).toEqual({
      report_id: report.id,
      figure_key: "inspected",
      value: "12",
    })
    await db
      .insertInto("summaries")
      .values({ campaign_id: "c", version: 1, format: "markdown", content: "# 总结", hash: "s", journal_seq: 3 })
      .execute()
    expect(await db.selectFrom("summaries").select(["content", "journal_seq"]).executeTakeFirst()).toEqual({
      content: "# 总结",
      journal_seq: 3,
    })
    await db
      .insertInto("checkpoints")
      .values({
        campaign_id: "c",
        seq: 0,
        head: null,
        reason: "demand",
        occurred_at: at,
        key_id: "k",
        signature: "sig",
      })
      .execute()
    expect(await db.selectFrom("checkpoints").select(["seq", "head", "reason"]).executeTakeFirst()).toEqual({
      seq: 0,
      head: null,
      reason: "demand",
    })
  })

  it("command results and tokens", async () => {
    const { db } = ctx.store()
    await db
      .insertInto("command_results")
      .values({ principal_id: "p1", idempotency_key: "k1", request_hash: "r", result: '{"ok":true}' })
      .execute()
    expect(await db.selectFrom("command_results").select(["result"]).executeTakeFirst()).toEqual({
      result: { ok: true },
    })
    await db
      .insertInto("principals")
      .values({ id: "auditor", name: "审计", role: "auditor", unit_key: null, disabled_at: null })
      .execute()
    await db
      .insertInto("tokens")
      .values({
        id: "t1",
        principal_id: "auditor",
        secret_hash: "sha",
        label: null,
        expires_at: at,
        revoked_at: null,
        last_used_at: null,
      })
      .execute()
    expect(await db.selectFrom("tokens").select(["principal_id", "expires_at"]).executeTakeFirst()).toEqual({
      principal_id: "auditor",
      expires_at: at,
    })
  })
})
