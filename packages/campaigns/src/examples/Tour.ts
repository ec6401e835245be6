/**
 * The README's tour: a district-level publicity week small enough to walk
 * through by hand. A plain object, so the file can be copied anywhere and
 * deployed with `liandong deploy`.
 */
export default {
  key: "tour-2026",
  title: "2026年知识产权宣传周",
  titleEn: "2026 IP publicity week",
  theme: "保护知识产权、激发创新活力",
  authority: "省知识产权局",
  timeZone: "Asia/Shanghai",
  coordinator: "city-ipo",
  units: [
    { key: "city-ipo", name: "xx市知识产权局", role: "host", level: "city" },
    { key: "east-district", name: "东区知识产权局", role: "subordinate", parent: "city-ipo", level: "county" },
    { key: "west-district", name: "西区知识产权局", role: "subordinate", parent: "city-ipo", level: "county" },
  ],
  phases: [
    {
      key: "publicity",
      heading: "措施得力、重点突出",
      opensAt: "2026-04-13",
      closesAt: "2026-04-26",
      gate: "date",
      tasks: [
        {
          key: "brochures",
          title: { zh: "发放知识产权宣传资料", en: "Hand out IP brochures" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-24T18:00",
          reminders: ["P1D"],
          figures: [
            {
              key: "brochures",
              label: { zh: "发放宣传资料", en: "brochures handed out" },
              measure: "份",
              phrasing: "approximate",
            },
          ],
        },
      ],
    },
    {
      key: "summary",
      heading: "认真总结、持之以恒",
      opensAt: "2026-04-27",
      closesAt: "2026-05-10",
      gate: "date",
      tasks: [
        {
          key: "wrap-up",
          title: { zh: "报送活动总结", en: "Report the week" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-05-08",
        },
      ],
    },
  ],
}
