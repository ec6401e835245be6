/**
 * People from the command line: a coordinator invites a unit contact, who sets a password
 * with the one-time token, signs in, and is who the session says; the coordinator lists
 * and ends the person's sessions. Secrets go through files, never the command line.
 */
import { createHmac } from "node:crypto"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { tour } from "@liandong/campaigns"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

describe("people through the CLI", () => {
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
    dir = await mkdtemp(join(tmpdir(), "liandong-people-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    await ok(["deploy", await file("tour.json", JSON.stringify(tour))])
    await ok(["principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo"])
  }, 120_000)

  it("invite, accept, sign in, who am I, sessions, sign out everywhere", async () => {
    const invited = await ok([
      "person",
      "invite",
      "zhang",
      "--name",
      "张联络员",
      "--role",
      "unit",
      "--unit",
      "east-district",
      "--mobile",
      "13800138000",
      "--as",
      "lead",
    ])
    const token = invited.split("\n")[0] ?? ""
    const listed = await ok(["person", "list", "--as", "lead"])
    expect(listed).toContain("13800138000")
    expect(listed).toContain("未设置 not set")
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/u)
    const password = await file("password", "东区联络员-2026年春\n")
    expect(await ok(["person", "accept", token, "--password-file", password])).toContain("zhang")
    // the token works once
    const again = await liandong(["person", "accept", token, "--password-file", password], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("邀请链接无效或已过期")

    const secret = (await ok(["person", "sign-in", "zhang", "--password-file", password])).split("\n")[0] ?? ""
    const session = await file("session", secret)
    expect((await ok(["person", "whoami", "--session-file", session])).trim()).toBe("zhang(unit,east-district)")
    expect(await ok(["person", "sessions", "zhang", "--as", "lead", "--json"])).toContain("liandong-cli")

    // a wrong password and an unknown name read the same
    const wrong = await liandong(
      ["person", "sign-in", "zhang", "--password-file", await file("wrong", "不对-0000-0000")],
      env,
    )
    const unknown = await liandong(["person", "sign-in", "nobody", "--password-file", password], env)
    expect(wrong.code).toBe(1)
    expect(unknown.stderr).toBe(wrong.stderr)

    expect(await ok(["person", "sign-out-everywhere", "zhang", "--as", "lead"])).toContain("1")
    const after = await liandong(["person", "whoami", "--session-file", session], env)
    expect(after.code).toBe(1)
    expect(after.stderr).toContain("revoked")
  }, 120_000)

  it("an auditor turns on a second factor; signing in then takes --code; the operator turns it off", async () => {
    const invited = await ok(["person", "invite", "shen", "--name", "沈审计", "--role", "auditor"])
    const password = await file("shen-password", "审计-秋风萧瑟-2026年\n")
    await ok(["person", "accept", invited.split("\n")[0] ?? "", "--password-file", password])
    const session = await file(
      "shen-session",
      (await ok(["person", "sign-in", "shen", "--password-file", password])).split("\n")[0] ?? "",
    )
    const enrolled = (await ok(["person", "totp", "enrol", "--session-file", session])).split("\n")
    expect(enrolled[0]).toMatch(/^otpauth:\/\/totp\//u)
    const secret = enrolled[1] ?? ""
    const confirmed = (
      await ok(["person", "totp", "confirm", "--session-file", session, "--code", totp(secret)])
    ).split("\n")
    expect(confirmed.slice(0, 10).every((c) => /^[a-z2-7]{5}-[a-z2-7]{5}$/u.test(c))).toBe(true)
    const without = await liandong(["person", "sign-in", "shen", "--password-file", password], env)
    expect(without.code).toBe(1)
    expect(without.stderr).toContain("动态验证码")
    await ok(["person", "sign-in", "shen", "--password-file", password, "--code", confirmed[0] ?? ""])
    expect(await ok(["person", "totp", "disable", "shen"])).toContain("停用")
    await ok(["person", "sign-in", "shen", "--password-file", password])
  }, 120_000)
})

/** RFC 6238's code for now (HMAC-SHA1, 30 s, 6 digits), as an authenticator app shows it. */
const totp = (secret: string) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
  let bits = ""
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, "0")
  const key = Buffer.from((bits.match(/.{8}/gu) ?? []).map((b) => Number.parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)))
  const mac = createHmac("sha1", key).update(counter).digest()
  const offset = (mac[19] as number) & 15
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0")
}
