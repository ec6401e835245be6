#!/usr/bin/env node
/**
 * Runs the HTTP API and the web UI (apps/server/src/main.ts): `pnpm serve`, `liandong serve` and the image start it here,
 * from its bundle while that matches the sources, else from the sources (launch.mjs).
 */
import module from "node:module"
import { pathToFileURL } from "node:url"
import { entryOf } from "./launch.mjs"

// V8 keeps the code it compiled between runs (in the temp folder, or NODE_COMPILE_CACHE).
module.enableCompileCache()
await import(pathToFileURL(await entryOf("server")).href)
