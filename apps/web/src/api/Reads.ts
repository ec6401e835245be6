/**
 * The addresses screens read first, written once: Start.ts asks for them as the page opens
 * and the screens take the answers (`first` of `useResource`). The typed client must ask for
 * exactly these (up to the order of the query) or it asks again; the delivery test counts.
 */

const e = encodeURIComponent
const api = "/api/v1"
/** A listing's first page, as `pageQuery(undefined)` asks for it. */
const page = "limit=500"

export const reads = {
  session: `${api}/session`,
  clock: `${api}/clock`,
  unread: `${api}/notices?unread=true&limit=1`,
  campaigns: `${api}/campaigns?${page}`,
  campaign: (campaign: string) => `${api}/campaigns/${e(campaign)}`,
  status: (campaign: string) => `${api}/campaigns/${e(campaign)}/status`,
  totals: (campaign: string) => `${api}/campaigns/${e(campaign)}/totals`,
  verification: (campaign: string) => `${api}/campaigns/${e(campaign)}/verification`,
  journal: (campaign: string, unit?: string) =>
    `${api}/campaigns/${e(campaign)}/journal?${page}${unit === undefined ? "" : `&unit=${e(unit)}`}`,
  task: (campaign: string, unit: string, task: string) =>
    `${api}/campaigns/${e(campaign)}/units/${e(unit)}/tasks/${e(task)}`,
  /** `GET /tasks` with these filters, in any order. */
  tasks: (filter: Readonly<Record<string, string>> = {}) => `${api}/tasks?${page}${query(filter)}`,
  /** `GET /reports` with these filters. */
  reports: (filter: Readonly<Record<string, string>> = {}) => `${api}/reports?${page}${query(filter)}`,
  notices: `${api}/notices?limit=100`,
  preferences: `${api}/notices/preferences`,
  people: `${api}/people`,
}

const query = (filter: Readonly<Record<string, string>>) =>
  Object.entries(filter)
    .map(([key, value]) => `&${key}=${e(value)}`)
    .join("")
