/** @liandong/engine/runtime — what the engine runs with: layers, services, actors, errors, the database's upkeep. */
import type { Signer } from "../audit/Signer.ts"
import type { Clock } from "../Clock.ts"
import type { Db } from "../Db.ts"
import type { Log } from "../Log.ts"

/** A failure granting the application role; the environment's database and whether it is PostgreSQL. */
export { isPostgres, PrivilegeError, SettingInvalid, storeOptionsFromEnv } from "@liandong/store"
/** Who acts: principals, the operator, the worker. */
export { type Actor, actorRole, loadActor, operator, type PrincipalRole, system } from "../Actor.ts"
/** The signer of checkpoints (a service); the deployment's key, made once and required. */
export {
  defaultKeyFile,
  KeyRotationRefused,
  keyFileFromEnv,
  provisionSigningKey,
  readSigningKey,
  requireSigningKey,
  Signer,
  SigningKeyExists,
  SigningKeyUnavailable,
} from "../audit/Signer.ts"
/** Backups: the facts of a database in the snapshot pg_dump copies; what a restore must not meet. */
export {
  checkpointDatabase,
  type DatabaseFacts,
  databaseFacts,
  schemaObjects,
  schemaVersions,
  withExportedSnapshot,
} from "../Backup.ts"
/** The campaign clock (a service). */
export { Clock, WallClock } from "../Clock.ts"
/** The engine's tagged errors and their texts. */
export * from "../Errors.ts"
/** The layers every entry point runs the engine with. */
export { clockLayer, dbLayer, engineLayer, storeLayer } from "../Layers.ts"
/** The logger (a service). */
export { Log } from "../Log.ts"
/** The email channel: the mailer in use (none by default), SMTP from the environment. */
export { type Mail, type Mailer, MailerRef } from "../notices/Notices.ts"
export { mailerFromEnv, mailerLayerFromEnv, smtpMailer } from "../notices/Smtp.ts"
/** The database's upkeep: whether it answers, its schema, the application role. */
export { databaseInfo, grantAppRole, migrateDatabase, ping, pingIfProvided } from "../Operations.ts"
/** How a server or worker process ends: its exit code and its failure line. */
export { processTeardown, reportFailure } from "../Process.ts"
/** Signing in through an identity provider: the claim that names a person, and the sign-in. */
export { ExternalIdentity, IdentityMatch, signInWithIdentity } from "../people/Identity.ts"
/** Passwords and sessions: sign in, the actor of a session, sign out; their refusals and numbers. */
export {
  authenticateSession,
  InvitationInvalid,
  invitationHours,
  lockAfterFailures,
  lockMinutes,
  type SignInContext,
  SignInRefused,
  sessionAbsoluteHours,
  sessionIdleMinutes,
  signIn,
  signOut,
} from "../people/People.ts"
/** The second factor: enrol, confirm, turn off; the refusal that asks for a code. */
export {
  confirmSecondFactor,
  disableSecondFactor,
  enrolSecondFactor,
  recoveryCodeCount,
  SecondFactorRequired,
} from "../people/SecondFactor.ts"
/** The queues: whether an item due by a time is still pending (a sweep to that time has ended when none is). */
export { itemsDueLeft } from "../sql/FirstInOrder.ts"
/** A token that authenticates nobody, and why. */
export { authenticate, Unauthenticated } from "../Tokens.ts"

/** The database service, as a type only (for signatures): its handle stays inside the engine. */
export type { Db }
/** Every service the engine's functions may need. */
export type EngineServices = Db | Clock | Log | Signer
