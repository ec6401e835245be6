#!/usr/bin/env node
/**
 * Runs the worker (apps/worker/src/main.ts): `pnpm worker` and the image start it here,
 * from its bundle while that matches the sources, else from the sources (launch.mjs).
 */
import module from "node:module"
import { pathToFileURL } from "node:url"
import { entryOf } from "./launch.mjs"

// V8 keeps the code it compiled between runs (in the temp folder, or NODE_COMPILE_CACHE).
module.enableCompileCache()
await import(pathToFileURL(await entryOf("worker")).href)
