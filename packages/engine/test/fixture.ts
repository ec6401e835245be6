/** A small campaign for engine tests: a city, two counties (one with a town below it), two phases. */
export const springWeek = {
  key: "spring-week",
  title: "测试宣传周",
  theme: "设计未来",
  authority: "省知识产权局",
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
          assign: { units: ["county-a", "county-b", "town-a1"] },
          deadline: "2026-04-17T18:00",
          reminders: ["P1D"],
        },
      ],
    },
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      tasks: [
        {
          key: "brochures",
          title: { zh: "发放宣传资料", en: "Hand out brochures" },
          assign: { units: ["county-a", "county-b", "town-a1"] },
          deadline: "2026-04-26T12:00",
          reminders: ["P1D", "PT4H"],
          figures: [
            {
              key: "brochures",
              label: { zh: "发放宣传资料", en: "brochures" },
              measure: "份",
              phrasing: "approximate",
              max: 100000,
            },
            {
              key: "people",
              label: { zh: "咨询群众", en: "people advised" },
              measure: "人次",
              phrasing: "approximate",
            },
          ],
        },
      ],
    },
  ],
} as const

/** Principals of the fixture. */
export const principals = [
  { id: "lead", name: "王局长", role: "coordinator", unit: "city" },
  { id: "clerk-a", name: "甲县联络员", role: "unit", unit: "county-a" },
  { id: "clerk-b", name: "乙县联络员", role: "unit", unit: "county-b" },
  { id: "clerk-a1", name: "一镇联络员", role: "unit", unit: "town-a1" },
  { id: "auditor", name: "审计员", role: "auditor" },
] as const
