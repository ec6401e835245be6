/** A small campaign for the workflow tests. */
export const week = {
  key: "spring-week",
  title: "测试宣传周",
  coordinator: "city",
  units: [
    { key: "city", name: "市知识产权局", role: "host", level: "city" },
    { key: "county-a", name: "甲县知识产权局", role: "subordinate", parent: "city", level: "county" },
    { key: "county-b", name: "乙县知识产权局", role: "subordinate", parent: "city", level: "county" },
    { key: "town-a1", name: "甲县一镇", role: "member", parent: "county-a" },
  ],
  phases: [
    {
      key: "preparation",
      opensAt: "2026-04-13",
      closesAt: "2026-04-19",
      tasks: [
        {
          key: "plan",
          title: { zh: "制定工作方案", en: "Write the plan" },
          assign: { subordinatesOf: "city" },
          deadline: "2026-04-17T18:00",
          reminders: ["P1D"],
        },
      ],
    },
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      gate: { quorum: 0.5 },
      tasks: [
        {
          key: "brochures",
          title: { zh: "发放宣传资料", en: "Hand out brochures" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-26T12:00",
          reminders: ["PT4H", "P1D"],
          figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份", phrasing: "approximate" }],
        },
        {
          key: "stalls",
          title: { zh: "设立咨询点", en: "Advice stalls" },
          assign: { units: ["county-a"] },
          deadline: "2026-04-25",
          figures: [{ key: "stalls", label: { zh: "设立咨询点" }, measure: "个", kind: "decimal", scale: 1, max: 50 }],
        },
      ],
    },
  ],
} as const
