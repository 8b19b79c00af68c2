// The bench's outputs: a Markdown table with ratios, and an SVG bar chart.
export interface Measurement {
  workload: string;
  server: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  errors: number;
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

export function markdownTable(results: Measurement[]): string {
  const lines = [
    '| workload | server | req/s | p50 ms | p99 ms | peak RSS MB | non-2xx | Payrail ÷ this |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of results) {
    const payrail = results.find((r) => r.workload === m.workload && r.server === 'payrail');
    const ratio =
      payrail && m.server !== 'payrail'
        ? fmt(payrail.requestsPerSecond / m.requestsPerSecond, 2)
        : '';
    lines.push(
      `| ${m.workload} | ${m.server} | ${fmt(m.requestsPerSecond)} | ${fmt(m.p50Ms, 1)} | ` +
        `${fmt(m.p99Ms, 1)} | ${fmt(m.peakRssMb)} | ${m.errors} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

/** Two panels of grouped bars: requests/s and p99 per workload and server. */
export function svgChart(results: Measurement[]): string {
  const workloads = [...new Set(results.map((r) => r.workload))];
  const servers = [...new Set(results.map((r) => r.server))];
  const colours = ['#2f6fdf', '#e0892b', '#4caf50', '#9c27b0'];
  const width = 220 * workloads.length + 120;
  const panel = (metric: 'requestsPerSecond' | 'p99Ms', title: string, top: number) => {
    const max = Math.max(...results.map((r) => r[metric]), 1);
    const bars = workloads.flatMap((w, wi) =>
      servers.flatMap((s, si) => {
        const m = results.find((r) => r.workload === w && r.server === s);
        if (!m) return [];
        const h = (m[metric] / max) * 160;
        const x = 80 + wi * 220 + si * 45;
        return [
          `<rect x="${x}" y="${top + 190 - h}" width="40" height="${h}" ` +
            `fill="${colours[si % 4]}"/>`,
          `<text x="${x + 20}" y="${top + 185 - h}" font-size="10" text-anchor="middle">` +
            `${fmt(m[metric], metric === 'p99Ms' ? 1 : 0)}</text>`,
        ];
      }),
    );
    const labels = workloads.map(
      (w, wi) =>
        `<text x="${80 + wi * 220 + 70}" y="${top + 210}" font-size="11" ` +
        `text-anchor="middle">${w}</text>`,
    );
    return [
      `<text x="10" y="${top + 20}" font-size="14" font-weight="bold">${title}</text>`,
      ...bars,
      ...labels,
    ];
  };
  const legend = servers.map(
    (s, si) =>
      `<rect x="${80 + si * 150}" y="470" width="12" height="12" fill="${colours[si % 4]}"/>` +
      `<text x="${96 + si * 150}" y="481" font-size="12">${s}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="500" ` +
      'font-family="sans-serif">',
    '<rect width="100%" height="100%" fill="white"/>',
    ...panel('requestsPerSecond', 'requests per second (higher is better)', 0),
    ...panel('p99Ms', 'p99 latency, ms (lower is better)', 230),
    ...legend,
    '</svg>',
  ].join('\n');
}
