/** Follows one campaign's journal and calls `onChange` each time it grows (a component, so lists can hold many). */
import { useEffect, useRef } from "react"
import { useLive } from "./Live.ts"

/** Renders nothing; reports changes of the campaign's journal. */
export const CampaignLive = ({ campaign, onChange }: { readonly campaign: string; readonly onChange: () => void }) => {
  const live = useLive(campaign)
  const last = useRef<number | null>(null)
  const callback = useRef(onChange)
  callback.current = onChange
  useEffect(() => {
    if (live.seq === null) return
    if (last.current !== null && live.seq !== last.current) callback.current()
    last.current = live.seq
  }, [live.seq])
  return null
}
