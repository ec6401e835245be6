/**
 * How many times a campaign's journal has grown since the screen first heard its length:
 * the dependency that reloads a screen's data. The live stream's first answer only says how
 * long the journal is now, so it must not load again what the screen has just loaded.
 */
import { useState } from "react"
import type { Live } from "./Live.ts"

/** 0 until the journal grows after the first length heard, then one more per change. */
export const useLiveRound = (live: Live): number => {
  const [seen, setSeen] = useState({ seq: live.seq, round: 0 })
  // Adjusted while rendering (not in an effect), so no render loads with the stale round.
  if (live.seq !== seen.seq) {
    const next = { seq: live.seq, round: seen.seq === null ? seen.round : seen.round + 1 }
    setSeen(next)
    return next.round
  }
  return seen.round
}
