/**
 * Another process opening an embedded data folder, for the folder-lock tests:
 * `node hold-folder.ts <folder> [row-key]` opens the store (writing a unit row
 * when a key is given) and prints `{"opened":pid}`, then waits for a line on
 * stdin: `close` closes the store, `exit` leaves without closing it. Refused,
 * it prints `{"refused":{pid,zh,en}}` and exits 3.
 */
import { createInterface } from "node:readline"
import { DataFolderInUse, migrateToLatest, openStore } from "../src/index.ts"

const [folder, rowKey] = process.argv.slice(2)
if (folder === undefined) throw new Error("usage: hold-folder.ts <folder> [row-key]")

const store = await openStore({ dataDir: folder }).catch((error: unknown) => {
  if (!(error instanceof DataFolderInUse)) throw error
  console.log(JSON.stringify({ refused: { pid: error.holder.pid, zh: error.zh, en: error.en } }))
  process.exit(3)
})
await migrateToLatest(store.db)
if (rowKey !== undefined) {
  await store.db
    .insertInto("units")
    .values({ campaign_id: "c", key: rowKey, name: rowKey, name_en: null, parent_key: null, level: null })
    .execute()
}
console.log(JSON.stringify({ opened: process.pid }))

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "close") {
    await store.close()
    process.exit(0)
  }
  if (line === "exit") process.exit(0)
}
