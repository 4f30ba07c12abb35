/**
 * The /tongquan chart: ECharts renders SVG on the server (no DOM), resvg turns it into a PNG with
 * DejaVu Sans, which has the Vietnamese glyphs (fonts-dejavu-core).
 */
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { UnitOverview } from "../services/overview.ts";

export const CHART_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const WIDTH = 900;
const HEIGHT = 500;

export function overviewChartSvg(o: UnitOverview): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height: HEIGHT });
  const categories = [
    "Đang dùng",
    "Bị khóa",
    "Không hoạt động",
    "Sắp bị khóa",
    "Yêu cầu mở",
    "Thư quá hạn",
    "Chưa kiểm tra tuần này",
  ];
  const overdueReplies = o.overdueReplies.reduce((sum, r) => sum + r.count, 0);
  const values = [
    o.mailboxes.length,
    o.locked.length,
    o.idle.length,
    o.nearLock.length,
    o.openRequests,
    overdueReplies,
    o.checks.expected - o.checks.checked,
  ];
  const colors = ["#3b82f6", "#dc2626", "#a3a3a3", "#f59e0b", "#0ea5e9", "#b91c1c", "#7c3aed"];
  chart.setOption({
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: "DejaVu Sans" },
    title: { text: `Tổng quan hộp thư — ${o.unitName}`, left: "center", textStyle: { fontSize: 18 } },
    grid: { left: 60, right: 30, top: 60, bottom: 90 },
    xAxis: { type: "category", data: categories, axisLabel: { interval: 0, rotate: 20, fontSize: 12 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        type: "bar",
        data: values.map((value, i) => ({ value, itemStyle: { color: colors[i] } })),
        label: { show: true, position: "top", fontSize: 13 },
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** PNG bytes of the overview chart. */
export function overviewChartPng(o: UnitOverview): Buffer {
  const resvg = new Resvg(overviewChartSvg(o), {
    background: "#ffffff",
    font: { fontFiles: [CHART_FONT], defaultFontFamily: "DejaVu Sans", loadSystemFonts: false },
    fitTo: { mode: "width", value: WIDTH },
  });
  return Buffer.from(resvg.render().asPng());
}
