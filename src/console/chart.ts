import uPlot from 'uplot';

/** Calls and refusals per front over time, drawn by uPlot (canvas; sized to its container). */
export interface ChartData {
  since: number;
  bucketMs: number;
  buckets: number;
  series: Record<string, { calls: number[]; refusals: number[] }>;
}

const COLORS = ['#0b5cad', '#b35c00', '#2f7d32', '#7b2cbf', '#a4161a', '#006d77'];

export function drawChart(
  host: HTMLElement,
  data: ChartData,
  labels: { calls: string; refusals: string; front: (name: string) => string },
): uPlot {
  const xs = Array.from({ length: data.buckets }, (_, i) => (data.since + i * data.bucketMs) / 1000);
  const names = Object.keys(data.series).sort();
  const series: uPlot.Series[] = [{}];
  const columns: number[][] = [xs];
  names.forEach((name, i) => {
    const color = COLORS[i % COLORS.length]!;
    series.push({ label: `${labels.front(name)} ${labels.calls}`, stroke: color, width: 2 });
    series.push({ label: `${labels.front(name)} ${labels.refusals}`, stroke: color, width: 1, dash: [4, 4] });
    columns.push(data.series[name]!.calls, data.series[name]!.refusals);
  });
  host.replaceChildren();
  const width = Math.max(240, host.clientWidth || 600);
  const plot = new uPlot(
    {
      width,
      height: 240,
      series,
      axes: [{}, { label: '' }],
      scales: { x: { time: true } },
      legend: { show: true },
    },
    columns as uPlot.AlignedData,
    host,
  );
  // It follows its container's width (a phone turned, a window resized).
  const observer = new ResizeObserver(() => {
    const next = Math.max(240, host.clientWidth);
    if (Math.abs(next - plot.width) > 4) plot.setSize({ width: next, height: 240 });
  });
  observer.observe(host);
  const destroy = plot.destroy.bind(plot);
  plot.destroy = () => {
    observer.disconnect();
    destroy();
  };
  return plot;
}
