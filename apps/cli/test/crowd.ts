/** Generated campaigns with many units under one headquarters, for the concurrency and crash tests. */

/** A campaign of `units` subordinate units and one task per phase, each with two reminders. */
export const crowdCampaign = (key: string, units: number, phases: ReadonlyArray<{ key: string; day: number }>) => ({
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
  phases: phases.map(({ key: phase, day }) => ({
    key: phase,
    opensAt: `2026-04-${String(day).padStart(2, "0")}`,
    closesAt: `2026-04-${String(day + 6).padStart(2, "0")}`,
    gate: "date",
    tasks: [
      {
        key: `${phase}-task`,
        title: { zh: "发放宣传资料" },
        assign: { roles: ["subordinate"] },
        deadline: `2026-04-${String(day + 5).padStart(2, "0")}T18:00`,
        reminders: ["P2D", "P1D"],
      },
    ],
  })),
})
