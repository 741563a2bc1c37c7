/**
 * The benchmark's chart: latency (p50 solid, p95 dashed) and throughput against concurrency, one line per
 * contender, drawn as SVG by hand (no charting library, no network) and rasterised to PNG by the Chromium the
 * project already installs for its Web UI test (scripts/install-chromium.sh; CHROMIUM_PATH overrides), driven
 * by playwright-core, which never downloads a browser of its own.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export interface ChartSeries {
  name: string;
  color: string;
  /** One point per concurrency level measured. */
  points: { concurrency: number; p50: number; p95: number; throughput: number }[];
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  levels: number[];
  series: ChartSeries[];
}

const W = 960;
const H = 440;
const PANEL = { top: 104, bottom: 380, width: 380 };
const LEFTS = [70, 550];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round axis maximum and a tick step (1, 2 or 5 × 10^k). */
function axis(max: number): { top: number; step: number } {
  const raw = Math.max(max, 1) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  return { top: Math.ceil(max / step) * step || step, step };
}

function panel(spec: ChartSpec, left: number, label: string, unit: string, pick: (p: ChartSeries['points'][number]) => number[]): string {
  const values = spec.series.flatMap((s) => s.points.flatMap(pick)).filter(Number.isFinite);
  const { top, step } = axis(Math.max(...values, 0) * 1.05);
  const x = (i: number) => left + (PANEL.width * (i + 0.5)) / spec.levels.length;
  const y = (v: number) => PANEL.bottom - ((PANEL.bottom - PANEL.top) * v) / top;
  const out: string[] = [];
  out.push(`<text x="${left}" y="${PANEL.top - 14}" font-size="14" font-weight="600">${esc(label)}</text>`);
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line x1="${left}" x2="${left + PANEL.width}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end" fill="#555">${v}${unit}</text>`);
  }
  spec.levels.forEach((c, i) => {
    out.push(`<text x="${x(i)}" y="${PANEL.bottom + 18}" font-size="11" text-anchor="middle" fill="#555">${c}</text>`);
  });
  out.push(`<text x="${left + PANEL.width / 2}" y="${PANEL.bottom + 36}" font-size="12" text-anchor="middle">checkouts in flight (concurrency)</text>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${PANEL.top}" y2="${PANEL.bottom}" stroke="#999"/>`);
  out.push(`<line x1="${left}" x2="${left + PANEL.width}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#999"/>`);
  for (const s of spec.series) {
    const lines = pick(s.points[0] ?? { concurrency: 0, p50: NaN, p95: NaN, throughput: NaN }).length;
    for (let k = 0; k < lines; k++) {
      const pts = spec.levels
        .map((c, i) => {
          const p = s.points.find((q) => q.concurrency === c);
          const v = p ? pick(p)[k] : undefined;
          return v !== undefined && Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : undefined;
        })
        .filter((p): p is string => p !== undefined);
      if (pts.length === 0) continue;
      const dash = k === 1 ? ' stroke-dasharray="5 4"' : '';
      out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
      for (const pt of pts) {
        const [px, py] = pt.split(',');
        out.push(`<circle cx="${px}" cy="${py}" r="${k === 1 ? 2 : 3}" fill="${s.color}"/>`);
      }
    }
  }
  return out.join('\n');
}

export function chartSvg(spec: ChartSpec): string {
  const legend = spec.series
    .map((s, i) => {
      const lx = 70 + i * 230;
      return `<line x1="${lx}" x2="${lx + 24}" y1="52" y2="52" stroke="${s.color}" stroke-width="3"/><text x="${lx + 30}" y="56" font-size="12">${esc(s.name)}</text>`;
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="70" y="22" font-size="16" font-weight="700">${esc(spec.title)}</text>`,
    `<text x="70" y="38" font-size="11" fill="#555">${esc(spec.subtitle)}</text>`,
    legend,
    panel(spec, LEFTS[0]!, 'latency per checkout (p50 solid, p95 dashed)', ' ms', (p) => [p.p50, p.p95]),
    panel(spec, LEFTS[1]!, 'throughput', '/s', (p) => [p.throughput]),
    '</svg>',
  ].join('\n');
}

/** Rasterises the SVG with headless Chromium; throws naming the fix when there is no Chromium. */
export async function writePng(svg: string, path: string): Promise<void> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run 'bash scripts/install-chromium.sh' (or set CHROMIUM_PATH)`);
  }
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H }, deviceScaleFactor: 1.5 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path });
  } finally {
    await browser.close();
  }
}

export function writeSvg(svg: string, path: string): void {
  writeFileSync(path, svg);
}
