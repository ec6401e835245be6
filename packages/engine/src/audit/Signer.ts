/**
 * The deployment's checkpoint key: Ed25519, generated on first use and kept
 * in a PEM file (LIANDONG_KEY, default `.liandong/keys/checkpoint-ed25519.pem`).
 * Every process of a deployment must share the same file.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { sha256Hex } from "@liandong/workflow"
import { Context, Effect, Layer } from "effect"

/** Signs checkpoints. */
export class Signer extends Context.Service<
  Signer,
  {
    /** A short fingerprint of the public key: the first 16 hex digits of its SHA-256. */
    readonly keyId: string
    readonly publicKeyPem: string
    /** Base64 Ed25519 signature of a text. */
    readonly sign: (text: string) => string
  }
>()("@liandong/engine/Signer") {
  /** The key in `path`, created there first if missing. */
  static readonly fromFile = (path: string) =>
    Layer.effect(Signer)(Effect.sync(() => Signer.of(signerFromKey(loadOrCreateKey(resolve(path))))))

  /** The key named by LIANDONG_KEY, or the default path. */
  static readonly fromEnv = () =>
    Signer.fromFile(process.env.LIANDONG_KEY ?? resolve(".liandong", "keys", "checkpoint-ed25519.pem"))

  /** A fresh key held in memory (tests). */
  static readonly ephemeral = Layer.sync(Signer)(() =>
    Signer.of(signerFromKey(generateKeyPairSync("ed25519").privateKey)),
  )
}

const loadOrCreateKey = (path: string): KeyObject => {
  if (existsSync(path)) return createPrivateKey(readFileSync(path, "utf8"))
  const { privateKey } = generateKeyPairSync("ed25519")
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" })
  chmodSync(path, 0o600)
  return privateKey
}

const signerFromKey = (privateKey: KeyObject) => {
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString()
  return {
    keyId: keyIdOf(publicKeyPem),
    publicKeyPem,
    sign: (text: string) => sign(null, Buffer.from(text, "utf8"), privateKey).toString("base64"),
  }
}

/** The fingerprint of a public key. */
export const keyIdOf = (publicKeyPem: string): string => sha256Hex(publicKeyPem.trim()).slice(0, 16)

/** True when `signature` is the key's signature of `text`. */
export const verifySignature = (publicKeyPem: string, text: string, signature: string): boolean => {
  try {
    return verify(null, Buffer.from(text, "utf8"), createPublicKey(publicKeyPem), Buffer.from(signature, "base64"))
  } catch {
    return false
  }
}
