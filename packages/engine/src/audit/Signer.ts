/**
 * The deployment's checkpoint key: Ed25519, kept in a PEM file (LIANDONG_KEY or
 * LIANDONG_KEY_FILE, default `.liandong/keys/checkpoint-ed25519.pem`) that every
 * process of a deployment shares. It is made once, on purpose (`liandong keys init`,
 * `provisionSigningKey`), never by a process that happens to find none: a key
 * nobody knows would sign checkpoints nobody can trust. The file is read again
 * when it changes, so a rotation or a replaced secret reaches every process at
 * its next checkpoint without a restart. Only the public half ever leaves it:
 * into the key ring (KeyRing.ts), whence exports and verification take it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { SettingInvalid } from "@liandong/store"
import { Context, Effect, Layer, Schema } from "effect"
import { keyIdOf } from "./Claims.ts"

/** One signing key: its fingerprint, its public half and a way to sign with it. */
export interface SigningKey {
  /** A short fingerprint of the public key: the first 16 hex digits of its SHA-256. */
  readonly keyId: string
  readonly publicKeyPem: string
  /** Base64 Ed25519 signature of a text. */
  readonly sign: (text: string) => string
}

/** Where the key lives when nothing says otherwise, relative to the working directory. */
export const defaultKeyFile = ".liandong/keys/checkpoint-ed25519.pem"

/** The key file cannot be used: missing, unreadable, or not an Ed25519 private key. */
export class SigningKeyUnavailable extends Schema.TaggedError<SigningKeyUnavailable>()("SigningKeyUnavailable", {
  path: Schema.String,
  problem: Schema.Literals(["missing", "unreadable", "invalid"]),
}) {
  get zh(): string {
    const what = { missing: "不存在", unreadable: "无法读取", invalid: "不是 Ed25519 私钥(PEM)" }[this.problem]
    return `签名密钥文件 ${this.path} ${what}。请用 liandong keys init 生成一次(并备份),或把部署的密钥作为机密挂载到此路径(LIANDONG_KEY 或 LIANDONG_KEY_FILE 指明位置)`
  }
  get en(): string {
    const what = {
      missing: "does not exist",
      unreadable: "cannot be read",
      invalid: "is not an Ed25519 private key (PEM)",
    }[this.problem]
    return `the signing key file ${this.path} ${what}. Create it once with \`liandong keys init\` (and back it up), or mount the deployment's key there as a secret (LIANDONG_KEY or LIANDONG_KEY_FILE names the path)`
  }
  override get message(): string {
    return `${this.zh} / ${this.en}`
  }
}

/** `keys init` found a key where it was to make one. */
export class SigningKeyExists extends Schema.TaggedError<SigningKeyExists>()("SigningKeyExists", {
  path: Schema.String,
  keyId: Schema.String,
}) {
  get zh(): string {
    return `签名密钥文件 ${this.path} 已存在(密钥 ${this.keyId}),未作改动;更换密钥请用 liandong audit keys rotate`
  }
  get en(): string {
    return `a signing key already exists at ${this.path} (key ${this.keyId}); nothing was changed. To replace it, use \`liandong audit keys rotate\``
  }
  override get message(): string {
    return `${this.zh} / ${this.en}`
  }
}

/** The key file cannot be rewritten (a read-only secret mount): rotation is done by replacing the secret. */
export class KeyRotationRefused extends Schema.TaggedError<KeyRotationRefused>()("KeyRotationRefused", {
  path: Schema.String,
  code: Schema.String,
}) {
  get zh(): string {
    return `无法改写签名密钥文件 ${this.path}(${this.code},例如以只读机密挂载)。请这样更换:用 liandong keys init --out <新文件> 生成新密钥并备份,用它替换机密,再重启各服务器和后台进程;新密钥在首次签名时加入密钥环,旧密钥留作核验`
  }
  get en(): string {
    return `the signing key file ${this.path} cannot be rewritten (${this.code}; a read-only secret mount?). To rotate: make a new key with \`liandong keys init --out <new file>\` and back it up, replace the secret with it and restart every server and worker; the new key joins the key ring when it first signs, the old one stays for verification`
  }
  override get message(): string {
    return `${this.zh} / ${this.en}`
  }
}

/**
 * The key file the environment names: LIANDONG_KEY or LIANDONG_KEY_FILE (the same thing,
 * under the name secret mounts use), else the default. Both set: a `SettingInvalid`.
 */
export const keyFileFromEnv = (env: NodeJS.ProcessEnv = process.env): string => {
  const key = env.LIANDONG_KEY || undefined
  const file = env.LIANDONG_KEY_FILE || undefined
  if (key !== undefined && file !== undefined)
    throw new SettingInvalid({
      variable: "LIANDONG_KEY_FILE",
      zh: "LIANDONG_KEY 和 LIANDONG_KEY_FILE 只能设置其一",
      en: "set LIANDONG_KEY or LIANDONG_KEY_FILE, not both",
    })
  return resolve(key ?? file ?? defaultKeyFile)
}

/** Reads the private key in `path`, or says why it cannot. */
const readKey = (path: string): KeyObject => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new SigningKeyUnavailable({ path, problem: code === "ENOENT" ? "missing" : "unreadable" })
  }
  try {
    const key = createPrivateKey(text)
    if (key.asymmetricKeyType === "ed25519") return key
  } catch {
    // Not a PEM private key at all: said below.
  }
  throw new SigningKeyUnavailable({ path, problem: "invalid" })
}

/** The key in `path`, as a signer would use it (its id, its public half). */
export const readSigningKey = (path: string): SigningKey => signerFromKey(readKey(resolve(path)))

const pemOf = (privateKey: KeyObject) => privateKey.export({ type: "pkcs8", format: "pem" })

/** A fresh key's PEM in a file of its own beside `path`, mode 0600, for a link or a rename onto `path`. */
const writeBeside = (path: string, privateKey: KeyObject): string => {
  const temporary = `${path}.${process.pid}.new`
  writeFileSync(temporary, pemOf(privateKey), { mode: 0o600, flag: "w" })
  chmodSync(temporary, 0o600)
  return temporary
}

/**
 * Makes the deployment's key in `path`, once: a new Ed25519 key, mode 0600, in a folder
 * made with mode 0700 when missing (a folder that exists is left as it is). A key already
 * there is a `SigningKeyExists`, unless `ifMissing`, which leaves it and reports it.
 */
export const provisionSigningKey = (
  path: string,
  options: { readonly ifMissing?: boolean } = {},
): SigningKey & { readonly path: string; readonly created: boolean } => {
  const file = resolve(path)
  const existing = statSync(file, { throwIfNoEntry: false })
  if (existing !== undefined) {
    const key = readSigningKey(file)
    if (options.ifMissing === true) return { ...key, path: file, created: false }
    throw new SigningKeyExists({ path: file, keyId: key.keyId })
  }
  const folder = dirname(file)
  if (mkdirSync(folder, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(folder, 0o700)
  const { privateKey } = generateKeyPairSync("ed25519")
  const temporary = writeBeside(file, privateKey)
  try {
    // A link appears whole and fails if another process made the key meanwhile: never half a key, never two.
    try {
      linkSync(temporary, file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "EEXIST") throw error
      // A file system without hard links: an exclusive create, which still never makes two.
      writeFileSync(file, pemOf(privateKey), { mode: 0o600, flag: "wx" })
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    const key = readSigningKey(file)
    if (options.ifMissing === true) return { ...key, path: file, created: false }
    throw new SigningKeyExists({ path: file, keyId: key.keyId })
  } finally {
    rmSync(temporary, { force: true })
  }
  return { ...signerFromKey(privateKey), path: file, created: true }
}

/** Signs checkpoints. */
export class Signer extends Context.Service<
  Signer,
  {
    /** The key to sign with now; throws `SigningKeyUnavailable` when there is none. */
    readonly current: () => SigningKey
    /**
     * Replaces the key with a new one (the old private key is gone); returns both. Throws
     * `KeyRotationRefused` when the file cannot be rewritten.
     */
    readonly rotate: () => { readonly retired: SigningKey; readonly current: SigningKey }
  }
>()("@liandong/engine/Signer") {
  /**
   * The key in `path`. Required (the default: servers, workers): the layer fails to build
   * when the key cannot be read. Otherwise (the CLI) only signing fails, with the same message.
   */
  static readonly fromFile = (path: string, options: { readonly required?: boolean } = {}) =>
    Layer.effect(Signer)(
      Effect.suspend(() => {
        const signer = fileSigner(resolve(path))
        if (options.required === false) return Effect.succeed(Signer.of(signer))
        return Effect.try({
          try: () => {
            signer.current()
            return Signer.of(signer)
          },
          catch: (error) => error as SigningKeyUnavailable,
        })
      }),
    )

  /** The key the environment names (LIANDONG_KEY or LIANDONG_KEY_FILE, else the default path). */
  static readonly fromEnv = (options: { readonly required?: boolean } = {}) =>
    Layer.unwrap(
      Effect.try({ try: () => keyFileFromEnv(), catch: (error) => error as SettingInvalid }).pipe(
        Effect.map((path) => Signer.fromFile(path, options)),
      ),
    )

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

/** Fails with `SigningKeyUnavailable` unless there is a key to sign with now (a worker checks before it takes work). */
export const requireSigningKey = Effect.flatMap(Effect.service(Signer), (signer) =>
  Effect.try({ try: () => signer.current().keyId, catch: (error) => error as SigningKeyUnavailable }),
)

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
      try {
        loaded = { stamp, key: signerFromKey(readKey(path)) }
      } catch (error) {
        // A file gone or broken for a moment (a secret being remounted) keeps the key in hand.
        if (loaded === undefined) throw error
      }
    }
    return loaded.key
  }
  return {
    current,
    rotate: () => {
      const retired = current()
      const { privateKey } = generateKeyPairSync("ed25519")
      // Written beside and renamed over: a process reading the file sees the old key or the new, never half.
      let temporary: string | undefined
      try {
        temporary = writeBeside(path, privateKey)
        renameSync(temporary, path)
      } catch (error) {
        if (temporary !== undefined) rmSync(temporary, { force: true })
        throw new KeyRotationRefused({ path, code: (error as NodeJS.ErrnoException).code ?? "error" })
      }
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
