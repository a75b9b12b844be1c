/** A daily series as a line chart (Fluent UI v9 charts). Screens that draw one load lazily, so the
 * charts and d3 stay out of the first load. */
import { LineChart, type LineChartPoints } from "@fluentui/react-charts";
import { tokens } from "@fluentui/react-components";

export interface Series {
  readonly legend: string;
  /** Days as YYYY-MM-DD; a null value is a day without the figure (a gap). */
  readonly points: readonly { readonly day: string; readonly value: number | null }[];
}

const COLOURS = [
  tokens.colorPaletteBlueBorderActive,
  tokens.colorPaletteGreenBorderActive,
  tokens.colorPaletteMarigoldBorderActive,
  tokens.colorPaletteBerryBorderActive,
  tokens.colorPaletteTealBorderActive,
  tokens.colorPaletteRedBorderActive,
  tokens.colorPaletteGrapeBorderActive,
];

export function TrendChart({
  title,
  series,
  yLabel,
}: {
  title: string;
  series: readonly Series[];
  yLabel: string;
}) {
  const lines: LineChartPoints[] = series.map((line, index) => ({
    legend: line.legend,
    color: COLOURS[index % COLOURS.length],
    data: line.points
      .filter((point) => point.value !== null)
      .map((point) => ({ x: new Date(`${point.day}T00:00:00Z`), y: point.value as number })),
  }));
  return (
    <LineChart
      data={{ chartTitle: title, lineChartData: lines }}
      culture="en-GB"
      height={260}
      yAxisTitle={yLabel}
      useUTC
    />
  );
}
