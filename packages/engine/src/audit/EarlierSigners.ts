/**
 * Checkpoints older than the key ring (signed before migration 0008) name a key the
 * ring does not list, and verification cannot check them until that key signs again —
 * weeks, for a campaign between two phase changes. When the deployment's key is such a
 * key, it joins the ring as from the first checkpoint it signed; any other stays unlisted
 * and is named, so the operator can bring the key that signed them.
 */
import { Effect } from "effect"
import { query, transaction } from "../Db.ts"
import { enrolKeyRow, selectUnlistedSigners } from "../sql/Keys.ts"
import { Signer } from "./Signer.ts"

/** Enrols the deployment's key where earlier checkpoints need it; returns it, and the keys still unlisted. */
export const enrolEarlierSigners = Effect.gen(function* () {
  const unlisted = yield* query("keys.unlisted", selectUnlistedSigners)
  if (unlisted.length === 0) return { enrolled: [] as string[], unlisted: [] as string[] }
  // Without a key file there is nothing to enrol (and none is made here): the unlisted keys are named.
  const signer = yield* Effect.serviceOption(Signer)
  const key =
    signer._tag === "Some"
      ? yield* Effect.sync(() => {
          try {
            return signer.value.current()
          } catch {
            return undefined
          }
        })
      : undefined
  const match = key === undefined ? undefined : unlisted.find((row) => row.key_id === key.keyId)
  if (key !== undefined && match !== undefined)
    yield* transaction("keys.enrolEarlier", (tx) =>
      query("keys.enrol", (db) => enrolKeyRow(db, key, new Date(match.first_signed)), tx),
    )
  return {
    enrolled: match === undefined ? [] : [match.key_id],
    unlisted: unlisted.filter((row) => row !== match).map((row) => row.key_id),
  }
})
