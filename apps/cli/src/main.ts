#!/usr/bin/env node
/** Entry point of the `liandong` command line. */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Cause, Effect, Exit, type Runtime } from "effect"
import { Command } from "effect/cli"
import { cli } from "./Cli.ts"

// SIGTERM/SIGINT interrupt the command; a worker finishes the item in hand first. Being
// stopped that way is a clean shutdown (exit 0); a command's own failure sets exitCode.
const teardown: Runtime.Teardown = (exit, onExit) =>
  onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? Number(process.exitCode ?? 0) : 1)

cli.pipe(Command.run({ version: "0.1.0" }), Effect.provide(NodeServices.layer), NodeRuntime.runMain({ teardown }))
