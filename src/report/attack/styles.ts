import { STYLES } from '../html/styles.js';

/** The attack page's stylesheet: the shared report styles plus the chart and the example images. */
export const ATTACK_STYLES = `${STYLES}
.chart { width: 100%; max-width: 760px; height: auto; display: block; margin: 8px 0 16px; }
.chart .grid line { stroke: var(--border); stroke-width: 1; }
.chart .axis { stroke: var(--fg-muted); stroke-width: 1.2; }
.chart text { fill: var(--fg-muted); font-size: 12px; }
.chart .axis-label { fill: var(--fg); font-size: 13px; }
.chart .legend text { fill: var(--fg); }
.chart .line { fill: none; stroke-width: 2; }
.chart circle.line { stroke-width: 1.5; fill: var(--bg); }
.chart .clean { stroke: var(--fg-muted); stroke-dasharray: 6 4; }
.chart .worst { stroke: var(--fail); stroke-width: 6; stroke-opacity: .45; }
.chart circle.worst { stroke-opacity: 1; stroke-width: 2; }
.chart .c0 { stroke: #0969da; } .chart .c1 { stroke: #bf8700; } .chart .c2 { stroke: #1a7f37; }
.chart .c3 { stroke: #8250df; } .chart .c4 { stroke: #bc4c00; } .chart .c5 { stroke: #1b7c83; }
.chart .c6 { stroke: #bf3989; } .chart .c7 { stroke: #57606a; }
.examples { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
.example { border: 1px solid var(--border); border-radius: 8px; padding: 10px; background: var(--bg-soft); margin: 0; }
.example .imgs { display: flex; gap: 8px; }
.example figure { margin: 0; text-align: center; }
.example img { image-rendering: pixelated; image-rendering: crisp-edges; border: 1px solid var(--border);
  width: 96px; height: auto; display: block; }
.example figcaption, .example .caption { font-size: 12px; color: var(--fg-muted); }
.warn { border-color: var(--medium); background: var(--medium-bg); margin: 16px 0; }
.warn h2 { margin-top: 0; border: 0; padding: 0; }
.warn li { margin: 2px 0; }
@media print { .example, .chart { break-inside: avoid; } }
`;
