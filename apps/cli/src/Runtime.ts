/**
 * The services a CLI command runs with: the engine's layers (see
 * @liandong/engine's Layers), quiet logging unless --debug. The signing key is
 * needed only by what signs (a checkpoint, a rotation, the worker), so listings,
 * deploys and `db migrate` run without it.
 */
import { engineLayer } from "@liandong/engine/runtime"

export { clockLayer, dbLayer } from "@liandong/engine/runtime"

/** Everything a command needs. */
export const appLayer = (options: { now?: string | undefined; debug?: boolean }) =>
  engineLayer({ now: options.now, logLevel: options.debug ? "debug" : "warn", signingKey: "on-use" })
