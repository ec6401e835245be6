/**
 * Webhooks from the command line: the coordinator adds a webhook and sees its secret once,
 * adds a 钉钉 robot with a secret read from a file, lists them (never a secret, a URL's query
 * hidden; auditors too), and removes one; an auditor may not add.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { tour } from "@liandong/campaigns"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

describe("webhooks through the CLI", () => {
  let env: Record<string, string>
  let dir: string
  const file = async (name: string, body: string) => {
    const path = join(dir, name)
    await writeFile(path, body)
    return path
  }
  const ok = async (args: ReadonlyArray<string>) => {
    const result = await liandong(args, env)
    expect(result.code, result.stderr).toBe(0)
    return result.stdout
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-webhook-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    await ok(["deploy", await file("tour.json", JSON.stringify(tour))])
    await ok(["principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo"])
    await ok(["principal", "add", "audit", "--name", "审计员", "--role", "auditor"])
  }, 120_000)

  it("add, list without secrets, refuse an auditor, remove", async () => {
    const added = await ok([
      "webhook",
      "add",
      "tour-2026",
      "--url",
      "https://hooks.example.gov.cn/liandong",
      "--event",
      "returned",
      "--event",
      "overdue",
      "--as",
      "lead",
    ])
    const secret = added.split("\n")[0] ?? ""
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/u)
    expect(added).toContain("只显示这一次")
    const secretFile = await file("ding-secret", "SECdingtalk-robot-secret-000111\n")
    const robot = JSON.parse(
      await ok([
        "webhook",
        "add",
        "tour-2026",
        "--kind",
        "dingtalk",
        "--url",
        "https://oapi.dingtalk.com/robot/send?access_token=tok-123",
        "--secret-file",
        secretFile,
        "--as",
        "lead",
        "--json",
      ]),
    )
    expect(robot).toMatchObject({ kind: "dingtalk", signed: true, secret: null })
    for (const who of ["lead", "audit"]) {
      const listed = await ok(["webhook", "list", "tour-2026", "--as", who])
      expect(listed).toContain("returned, overdue")
      expect(listed).toContain("https://oapi.dingtalk.com/robot/send?…")
      expect(listed).not.toContain(secret)
      expect(listed).not.toContain("tok-123")
      expect(listed).not.toContain("SECdingtalk")
    }
    const refused = await liandong(
      ["webhook", "add", "tour-2026", "--url", "https://hooks.example.gov.cn/x", "--as", "audit"],
      env,
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("牵头单位")
    const bad = await liandong(["webhook", "add", "tour-2026", "--url", "ftp://example.gov.cn/x", "--as", "lead"], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("url")
    expect(await ok(["webhook", "remove", "tour-2026", robot.id, "--as", "lead"])).toContain("已移除")
    expect(await ok(["webhook", "remove", "tour-2026", robot.id, "--as", "lead"])).toContain("nothing changed")
    expect(JSON.parse(await ok(["webhook", "list", "tour-2026", "--as", "lead", "--json"]))).toHaveLength(1)
  })
})
