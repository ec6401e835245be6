/**
 * The deployment's checkpoint key: Ed25519, kept in a PEM file (LIANDONG_KEY, default
 * `.liandong/keys/checkpoint-ed25519.pem`) that every process of a deployment shares.
 * The file is read again when it changes, so a rotation reaches every process at its
 * next checkpoint without a restart. Only the public half ever leaves it: into the
 * key ring (KeyRing.ts), whence exports and verification take it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { Context, Effect, Layer } from "effect"
import { keyIdOf } from "./Claims.ts"

/** One signing key: its fingerprint, its public half and a way to sign with it. */
export interface SigningKey {
  /** A short fingerprint of the public key: the first 16 hex digits of its SHA-256. */
  readonly keyId: string
  readonly publicKeyPem: string
  /** Base64 Ed25519 signature of a text. */
  readonly sign: (text: string) => string
}

/** Signs checkpoints. */
export class Signer extends Context.Service<
  Signer,
  {
    /** The key to sign with now. */
    readonly current: () => SigningKey
    /** Replaces the key with a new one (the old private key is gone); returns both. */
    readonly rotate: () => { readonly retired: SigningKey; readonly current: SigningKey }
  }
>()("@liandong/engine/Signer") {
  /** The key in `path`, created there first if missing. */
  static readonly fromFile = (path: string) =>
    Layer.effect(Signer)(Effect.sync(() => Signer.of(fileSigner(resolve(path)))))

  /** The key named by LIANDONG_KEY, or the default path. */
  static readonly fromEnv = () =>
    Signer.fromFile(process.env.LIANDONG_KEY ?? resolve(".liandong", "keys", "checkpoint-ed25519.pem"))

  /** A fresh key held in memory (tests). */
  static readonly ephemeral = Layer.sync(Signer)(() => {
    let key = signerFromKey(generateKeyPairSync("ed25519").privateKey)
    return Signer.of({
      current: () => key,
      rotate: () => {
        const retired = key
        key = signerFromKey(generateKeyPairSync("ed25519").privateKey)
        return { retired, current: key }
      },
    })
  })
}

const writeKey = (path: string, privateKey: KeyObject, flag: "wx" | "w") => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag })
  chmodSync(path, 0o600)
}

const loadOrCreateKey = (path: string): KeyObject => {
  if (existsSync(path)) return createPrivateKey(readFileSync(path, "utf8"))
  const { privateKey } = generateKeyPairSync("ed25519")
  writeKey(path, privateKey, "wx")
  return privateKey
}

/** A signer over a key file, reading it again whenever the file changed since. */
const fileSigner = (path: string) => {
  let loaded: { stamp: string; key: SigningKey } | undefined
  const stampOf = () => {
    const stat = statSync(path, { throwIfNoEntry: false })
    return stat === undefined ? "" : `${stat.ino}:${stat.mtimeMs}:${stat.size}`
  }
  const current = () => {
    const stamp = stampOf()
    if (loaded === undefined || stamp !== loaded.stamp) {
      const key = signerFromKey(loadOrCreateKey(path))
      loaded = { stamp: stampOf(), key }
    }
    return loaded.key
  }
  return {
    current,
    rotate: () => {
      const retired = current()
      const { privateKey } = generateKeyPairSync("ed25519")
      // Written beside and renamed over: a process reading the file sees the old key or the new, never half.
      const next = `${path}.next`
      writeKey(next, privateKey, "w")
      renameSync(next, path)
      loaded = undefined
      return { retired, current: current() }
    },
  }
}

const signerFromKey = (privateKey: KeyObject): SigningKey => {
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString()
  return {
    keyId: keyIdOf(publicKeyPem),
    publicKeyPem,
    sign: (text: string) => sign(null, Buffer.from(text, "utf8"), privateKey).toString("base64"),
  }
}

export { keyIdOf, publicKeyOf, verifySignature } from "./Claims.ts"
