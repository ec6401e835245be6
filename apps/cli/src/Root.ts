/** The root command `liandong`, its shared flags, and who acts. */
import { IsoTime } from "@liandong/api"
import { loadActor, operator } from "@liandong/engine/runtime"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { appLayer } from "./Runtime.ts"

/** The root command and its shared flags. */
export const liandong = Command.make("liandong").pipe(
  Command.withSharedFlags({
    as: Flag.String("as").pipe(Flag.withDescription("act as this principal (用户标识)"), Flag.optional),
    now: Flag.String("now").pipe(
      Flag.withSchema(IsoTime),
      Flag.withDescription("campaign clock time for this run (simulated calendar)"),
      Flag.optional,
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("print JSON"), Flag.withDefault(false)),
    debug: Flag.Boolean("debug").pipe(Flag.withDescription("print details of failures"), Flag.withDefault(false)),
  }),
  Command.withDescription("联动 Liandong — workflow-as-code for multi-agency campaigns"),
)

/** The root flags, resolved: who acts and the layer to run with. */
export const context = Effect.gen(function* () {
  const root = yield* liandong
  const now = Option.getOrUndefined(root.now)
  const as = Option.getOrUndefined(root.as)
  return { json: root.json, debug: root.debug, now, as, layer: appLayer({ now, debug: root.debug }) }
})

/** The actor for this run: the principal named by --as, else the operator. */
export const actorFor = (as: string | undefined) => (as === undefined ? Effect.succeed(operator) : loadActor(as))
