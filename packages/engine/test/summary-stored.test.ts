import { createHash } from "node:crypto"
import { renderSummary } from "@liandong/report"
import { describeEachDatabase } from "@liandong/store/testing"
import { normalizeCampaign } from "@liandong/workflow"
import { afterEach, beforeEach, expect, it } from "vitest"
import { startCampaign } from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, playFixture, testEngine } from "./support.ts"

const campaign = normalizeCampaign(springWeek)

// The worker loads the reports once and renders the formats one after another: each stored
// document must be, byte for byte, the one rendered on its own from the same reports.
describeEachDatabase("the summary the worker writes", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await playFixture(engine)
    await engine.advance("2026-05-20T09:00:00+08:00")
  })
  afterEach(() => engine.dispose())

  it("stores each format as rendering it alone gives it, with the hash of its bytes", async () => {
    const { db } = ctx.store()
    const stored = await db
      .selectFrom("summaries")
      .select(["format", "content", "hash", "version"])
      .where("campaign_id", "=", "spring-week")
      .orderBy("id")
      .execute()
    expect(stored.map((s) => [s.format, s.version])).toEqual([
      ["md", 1],
      ["html", 1],
      ["docx", 1],
    ])
    for (const summary of stored) {
      const format = summary.format as "md" | "html" | "docx"
      const alone = await renderSummary(db, "spring-week", campaign, { format })
      const bytes = format === "docx" ? Buffer.from(summary.content, "base64") : Buffer.from(summary.content, "utf8")
      expect(bytes).toEqual(Buffer.from(alone))
      expect(summary.hash).toBe(createHash("sha256").update(bytes).digest("hex"))
    }
  })
})
