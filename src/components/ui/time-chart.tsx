"use client";
// Charts (recharts, bundled: no CDN). Colours read well on the light and the dark theme. Parts of
// a whole (valid and refused validations) are stacked bars: each bar's height is its own count,
// and the tooltip and legend name the same series with the same numbers (areas with a smoothed
// curve drew spikes between buckets that no count backs).
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export const CHART_COLORS = {
  accent: "#3b82f6",
  success: "#22c55e",
  danger: "#ef4444",
  warning: "#f59e0b",
  muted: "#8b8b96",
};

const axis = { fontSize: 12, fill: CHART_COLORS.muted };
const tooltipStyle = {
  contentStyle: {
    background: "var(--overlay)",
    border: "1px solid var(--border)",
    borderRadius: 8,
    color: "var(--overlay-foreground)",
  },
};

export interface SeriesSpec {
  key: string;
  label: string;
  color: string;
}

/** `data` points have an `x` label and one number per series key. */
export function TimeChart({
  data,
  series,
  kind,
  height = 240,
  label,
  stacked = false,
}: {
  data: Record<string, string | number>[];
  series: SeriesSpec[];
  kind: "area" | "line" | "bar";
  height?: number;
  label: string;
  /** bars: the series stacked into one bar per point (parts of a whole) */
  stacked?: boolean;
}) {
  const order = (key: unknown) => series.findIndex((s) => s.key === key);
  const common = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke={CHART_COLORS.muted} strokeOpacity={0.25} />
      <XAxis dataKey="x" tick={axis} tickLine={false} minTickGap={24} />
      <YAxis tick={axis} tickLine={false} allowDecimals={false} width={40} />
      {/* tooltip and legend list the series in the caller's order (recharts sorts them by name) */}
      <Tooltip
        {...tooltipStyle}
        cursor={{ fill: CHART_COLORS.muted, fillOpacity: 0.15 }}
        itemSorter={(item) => order(item.dataKey)}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(item) => order(item.dataKey)} />
    </>
  );
  return (
    <figure aria-label={label} className="w-full min-w-0" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%" minWidth={200}>
        {kind === "area" ? (
          <AreaChart data={data}>
            {common}
            {series.map((s) => (
              <Area
                key={s.key}
                type="linear"
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                fill={s.color}
                fillOpacity={0.15}
                isAnimationActive={false}
              />
            ))}
          </AreaChart>
        ) : kind === "line" ? (
          <LineChart data={data}>
            {common}
            {series.map((s) => (
              <Line
                key={s.key}
                type="monotone"
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        ) : (
          <BarChart data={data}>
            {common}
            {series.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                fill={s.color}
                stackId={stacked ? "stack" : undefined}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
