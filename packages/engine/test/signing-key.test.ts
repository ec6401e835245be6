/**
 * The deployment's key is made once, on purpose, and never by a process that finds none;
 * a key a replaced secret brings joins the ring at its first signature, and checkpoints
 * signed before and after it verify.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describeEachDatabase } from "@liandong/store/testing"
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { pino } from "pino"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  Clock,
  checkpointNow,
  Db,
  exportCampaign,
  keyFileFromEnv,
  Log,
  operator,
  provisionSigningKey,
  readSigningKey,
  Signer,
  SigningKeyExists,
  SigningKeyUnavailable,
  startCampaign,
  verifyCampaign,
  verifyExport,
} from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

const folder = () => mkdtempSync(join(tmpdir(), "liandong-signing-"))

/** The cause's failure or defect, whichever it holds. */
const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Cause.squash(exit.cause)
}

describe("provisioning the key", () => {
  it("makes an Ed25519 key with mode 0600 in a new folder of mode 0700, once", () => {
    const path = join(folder(), "keys", "checkpoint-ed25519.pem")
    const made = provisionSigningKey(path)
    expect(made.created).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700)
    expect(readSigningKey(path).keyId).toBe(made.keyId)
    expect(() => provisionSigningKey(path)).toThrow(SigningKeyExists)
    const again = provisionSigningKey(path, { ifMissing: true })
    expect(again).toMatchObject({ created: false, keyId: made.keyId })
    // No stray files beside it.
    expect(readdirSync(join(path, ".."))).toEqual(["checkpoint-ed25519.pem"])
  })

  it("leaves the mode of a folder that exists as it is", () => {
    const dir = folder()
    const before = statSync(dir).mode & 0o777
    provisionSigningKey(join(dir, "key.pem"))
    expect(statSync(dir).mode & 0o777).toBe(before)
  })

  it("takes LIANDONG_KEY or LIANDONG_KEY_FILE, never both", () => {
    expect(keyFileFromEnv({ LIANDONG_KEY: "/a/k.pem" })).toBe("/a/k.pem")
    expect(keyFileFromEnv({ LIANDONG_KEY_FILE: "/run/secrets/k" })).toBe("/run/secrets/k")
    expect(keyFileFromEnv({})).toMatch(/\.liandong\/keys\/checkpoint-ed25519\.pem$/u)
    expect(() => keyFileFromEnv({ LIANDONG_KEY: "/a", LIANDONG_KEY_FILE: "/b" })).toThrow(
      /LIANDONG_KEY 和 LIANDONG_KEY_FILE 只能设置其一/u,
    )
  })
})

describe("a signer without a key file", () => {
  it("fails to build when the key is required, and creates nothing", async () => {
    const dir = folder()
    const path = join(dir, "keys", "missing.pem")
    const exit = await Effect.runPromiseExit(Effect.provide(Effect.service(Signer), Signer.fromFile(path)))
    const error = failureOf(exit)
    expect(error).toBeInstanceOf(SigningKeyUnavailable)
    expect((error as SigningKeyUnavailable).en).toContain(path)
    expect((error as SigningKeyUnavailable).en).toContain("liandong keys init")
    expect(existsSync(join(dir, "keys"))).toBe(false)
  })

  it("builds when the key is wanted only on use, and fails only what signs", async () => {
    const dir = folder()
    const path = join(dir, "missing.pem")
    const signer = await Effect.runPromise(
      Effect.provide(Effect.service(Signer), Signer.fromFile(path, { required: false })),
    )
    expect(() => signer.current()).toThrow(SigningKeyUnavailable)
    expect(() => signer.rotate()).toThrow(SigningKeyUnavailable)
    expect(readdirSync(dir)).toEqual([])
  })

  it("refuses a file that is not an Ed25519 private key", async () => {
    const path = join(folder(), "key.pem")
    const { writeFileSync } = await import("node:fs")
    writeFileSync(path, "not a key\n")
    const exit = await Effect.runPromiseExit(Effect.provide(Effect.service(Signer), Signer.fromFile(path)))
    expect((failureOf(exit) as SigningKeyUnavailable).problem).toBe("invalid")
  })
})

describeEachDatabase("a key replaced under a running deployment", (ctx) => {
  let keyFile: string
  let runtime: ManagedRuntime.ManagedRuntime<Db | Clock | Log | Signer, unknown>
  beforeEach(async () => {
    // The fixture is deployed and started by the test engine (its own key signs the start);
    // this runtime signs with the key file.
    const engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.dispose()
    keyFile = provisionSigningKey(join(folder(), "checkpoint-ed25519.pem")).path
    runtime = ManagedRuntime.make(
      Layer.mergeAll(
        Db.fromStore(ctx.store()),
        Clock.simulatedAt(new Date("2026-04-13T09:00:00+08:00")),
        Log.of_(pino({ level: "silent" })),
        Signer.fromFile(keyFile),
      ),
    )
  })
  afterEach(() => runtime.dispose())

  it("registers the new key at its first signature, keeps the old one, and verifies both", async () => {
    const first = await runtime.runPromise(checkpointNow("spring-week", operator))
    // A secret replaced: the new key is provisioned elsewhere and moved over the old file.
    const next = provisionSigningKey(join(folder(), "next.pem"))
    renameSync(next.path, keyFile)
    const second = await runtime.runPromise(checkpointNow("spring-week", operator))
    expect(second.keyId).toBe(next.keyId)
    expect(second.keyId).not.toBe(first.keyId)

    const ring = await ctx.store().db.selectFrom("signing_keys").selectAll().orderBy("valid_from").execute()
    expect(ring.map((k) => k.key_id)).toEqual(expect.arrayContaining([first.keyId, next.keyId]))
    // The old key was not rotated away: it stays valid, so what it signed still verifies.
    expect(ring.find((k) => k.key_id === first.keyId)?.valid_until).toBeNull()
    const signers = await ctx.store().db.selectFrom("checkpoints").select("key_id").distinct().execute()
    expect(signers.map((s) => s.key_id)).toEqual(expect.arrayContaining([first.keyId, next.keyId]))

    expect((await runtime.runPromise(verifyCampaign("spring-week", operator))).findings).toEqual([])
    const dir = folder()
    await runtime.runPromise(exportCampaign("spring-week", operator, dir))
    expect((await runtime.runPromise(verifyExport(dir))).findings).toEqual([])
  })
})
