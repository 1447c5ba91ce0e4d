// Charts for reports, rendered to SVG in node with Vega-Lite and Vega (no browser, no canvas: text
// widths are estimated). Gate, PGO and sweep charts all go through here so they look alike.
import type { TopLevelSpec } from 'vega-lite';

/** Colours shared by every chart: the earlier side muted, the later one strong, a bound in red. */
export const palette = { before: '#9aa5b1', after: '#1f6feb', bound: '#d1242f' } as const;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: the CLI's other commands should not pay for parsing Vega at start-up.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
