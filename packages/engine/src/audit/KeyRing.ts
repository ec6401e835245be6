/**
 * The key ring: the public half of every key that has signed a campaign's
 * checkpoints, with when it began and stopped signing. A key joins the ring the
 * first time it signs — a rotation's new key, or one a replaced secret brought — and a
 * rotation retires the old one (a replaced secret leaves it valid: it signed what it
 * signed, and verifies it still). Exports carry the ring, so
 * verification needs neither the private key nor the file it lives in.
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { query, type Sql, type Tx, transaction } from "../Db.ts"
import { NotAllowed } from "../Errors.ts"
import { enrolKeyRow, keyRetiredAt, listKeyRows, retireKey } from "../sql/Keys.ts"
import { KeyRotationRefused, Signer, type SigningKey, SigningKeyUnavailable } from "./Signer.ts"

/** Records a key in the ring (once) and fails if it was retired: a retired key never signs again. */
export const enrolKey = (tx: Tx, key: SigningKey, at: Date = new Date()) =>
  Effect.gen(function* () {
    yield* query("keys.enrol", (db) => enrolKeyRow(db, key, at), tx)
    const retiredAt = yield* query("keys.find", (db) => keyRetiredAt(db, key.keyId), tx)
    if (retiredAt !== null)
      return yield* Effect.die(
        new Error(
          `签名密钥 ${key.keyId} 已于 ${new Date(retiredAt).toISOString()} 停用,请让本进程使用当前密钥文件 / the signing key ${key.keyId} was retired; give this process the current key file`,
        ),
      )
  })

/** A key of the ring as verification reads it (`KeyRecord` in Verify.ts, which this module must not import: a cycle). */
export interface RingKey {
  readonly keyId: string
  readonly publicKey: string
  readonly validFrom: string
  readonly validUntil: string | null
}

/** The ring as verification reads it. */
export const keyRecordOf = (row: {
  key_id: string
  public_key: string
  valid_from: Date
  valid_until: Date | null
}): RingKey => ({
  keyId: row.key_id,
  publicKey: row.public_key,
  validFrom: new Date(row.valid_from).toISOString(),
  validUntil: row.valid_until === null ? null : new Date(row.valid_until).toISOString(),
})

/** Every key of the ring, oldest first: from the pool, or as `on` (a transaction) sees it. */
export const keyRing = (on?: Sql | Tx) =>
  Effect.map(query("keys.list", listKeyRows, on), (rows) => rows.map(keyRecordOf))

/** The ring, for anyone who may audit (its content is public keys only). */
export const listKeys = (actor: Actor) =>
  actor.kind === "operator" ||
  (actor.kind === "principal" && (actor.role === "auditor" || actor.role === "coordinator"))
    ? keyRing()
    : Effect.fail(
        new NotAllowed({
          actor: actor.id,
          action: "keys.list",
          zh: "只有系统管理员、牵头人员和审计人员可以查看签名密钥",
          en: "only the operator, coordinators and auditors may list the signing keys",
        }),
      )

/**
 * Rotates the deployment's signing key (the operator, who holds the key file): a new key
 * replaces the file, joins the ring, and the old one is retired from now on.
 */
export const rotateKey = (actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "operator")
      return yield* new NotAllowed({
        actor: actor.id,
        action: "keys.rotate",
        zh: "只有系统管理员可以更换签名密钥",
        en: "only the operator rotates the signing key",
      })
    const signer = yield* Signer
    // A key file on a read-only mount (a secret) is a failure that says how to rotate with secrets.
    const { retired, current } = yield* Effect.suspend(() => {
      try {
        return Effect.succeed(signer.rotate())
      } catch (error) {
        return error instanceof KeyRotationRefused || error instanceof SigningKeyUnavailable
          ? Effect.fail(error)
          : Effect.die(error)
      }
    })
    const at = new Date()
    yield* transaction("keys.rotate", (tx) =>
      Effect.gen(function* () {
        yield* enrolKey(tx, current, at)
        // The old key may never have signed: it joins the ring only to be retired.
        yield* query("keys.enrolRetired", (db) => enrolKeyRow(db, retired, at), tx)
        yield* query("keys.retire", (db) => retireKey(db, retired.keyId, at), tx)
      }),
    )
    return { retired: retired.keyId, current: current.keyId, at: at.toISOString() }
  })
