/** Generated campaigns with many units under one headquarters, for the concurrency, crash and chaos tests. */

/**
 * A phase of a crowd campaign: `day` in April 2026 (open that day, deadline five days later at
 * 18:00, close the day after), or explicit times — instants with an offset, so a test can put a
 * deadline a few seconds ahead of the real clock. It closes at its date (`gate: "date"`, the
 * default) or once every unit's task is approved (`"all"`).
 */
export type CrowdPhase = { readonly key: string; readonly gate?: "date" | "all" } & (
  | { readonly day: number }
  | {
      readonly opensAt: string
      readonly closesAt: string
      readonly deadline: string
      readonly reminders?: ReadonlyArray<string>
    }
)

const april = (day: number) => `2026-04-${String(day).padStart(2, "0")}`

const timesOf = (phase: CrowdPhase) =>
  "day" in phase
    ? {
        opensAt: april(phase.day),
        closesAt: april(phase.day + 6),
        deadline: `${april(phase.day + 5)}T18:00`,
        reminders: ["P2D", "P1D"],
      }
    : { opensAt: phase.opensAt, closesAt: phase.closesAt, deadline: phase.deadline, reminders: phase.reminders ?? [] }

/** The key of the one task of a crowd campaign's phase. */
export const crowdTask = (phase: string): string => `${phase}-task`

/**
 * A campaign of `units` subordinate units (`unit-0` …) under `hq`, one task per phase, each
 * task asking for one figure (`brochures`); with `day` phases, two reminders per task.
 */
export const crowdCampaign = (key: string, units: number, phases: ReadonlyArray<CrowdPhase>) => ({
  key,
  title: "并发测试活动",
  coordinator: "hq",
  units: [
    { key: "hq", name: "总局", role: "host" },
    ...Array.from({ length: units }, (_, i) => ({
      key: `unit-${i}`,
      name: `单位${i}`,
      role: "subordinate",
      parent: "hq",
    })),
  ],
  phases: phases.map((phase) => {
    const { opensAt, closesAt, deadline, reminders } = timesOf(phase)
    return {
      key: phase.key,
      opensAt,
      closesAt,
      gate: phase.gate ?? "date",
      tasks: [
        {
          key: crowdTask(phase.key),
          title: { zh: "发放宣传资料" },
          assign: { roles: ["subordinate"] },
          deadline,
          reminders,
          figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份" }],
        },
      ],
    }
  }),
})

/** The principals of a crowd campaign: `lead` coordinates at `hq`, `clerk-<i>` acts for `unit-<i>`. */
export const crowdPrincipals = (units: number) => [
  { id: "lead", name: "总局联络员", role: "coordinator", unit: "hq" },
  ...Array.from({ length: units }, (_, i) => ({
    id: `clerk-${i}`,
    name: `单位${i}联络员`,
    role: "unit",
    unit: `unit-${i}`,
  })),
]
