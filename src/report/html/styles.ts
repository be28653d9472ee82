/** The page's only stylesheet (inline; allowed by its hash in the CSP). Light and dark, printable. */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --bg-soft: #f6f8fa; --bg-code: #f6f8fa; --fg: #1f2328; --fg-muted: #59636e;
  --border: #d1d9e0; --link: #0969da;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9;
  --error: #8250df; --error-bg: #fbefff; --note-bg: #fff8c5;
  --critical: #a40e26; --high: #d1242f; --medium: #9a6700; --low: #0969da; --info: #59636e;
  --critical-bg: #ffebe9; --high-bg: #fff0ee; --medium-bg: #fff8c5; --low-bg: #ddf4ff; --info-bg: #f6f8fa;
}
@media screen and (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --bg-soft: #151b23; --bg-code: #151b23; --fg: #e6edf3; --fg-muted: #9198a1;
    --border: #3d444d; --link: #4493f8;
    --pass: #3fb950; --pass-bg: #12261e; --fail: #f85149; --fail-bg: #2d1214;
    --error: #ab7df8; --error-bg: #231a37; --note-bg: #272115;
    --critical: #ff7b72; --high: #f85149; --medium: #d29922; --low: #4493f8; --info: #9198a1;
    --critical-bg: #3c1618; --high-bg: #2d1214; --medium-bg: #272115; --low-bg: #121d2f; --info-bg: #151b23;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 1100px; padding: 24px 20px 48px;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  overflow-wrap: anywhere;
}
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 20px 0 8px; }
.masthead { display: flex; align-items: center; gap: 10px; margin-bottom: 4px; }
.masthead svg { width: 28px; height: 28px; flex: none; }
.meta { color: var(--fg-muted); margin: 0 0 16px; }
.meta code { color: var(--fg); }
.banner { border: 1px solid; border-left-width: 6px; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
.banner.pass { border-color: var(--pass); background: var(--pass-bg); }
.banner.fail { border-color: var(--fail); background: var(--fail-bg); }
.banner.error { border-color: var(--error); background: var(--error-bg); }
.verdict { font-size: 26px; font-weight: 700; letter-spacing: .04em; margin: 0 0 6px; }
.pass .verdict { color: var(--pass); } .fail .verdict { color: var(--fail); } .error .verdict { color: var(--error); }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.banner .notes { color: var(--fg-muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 16px 0; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; background: var(--bg-soft); }
.card .n { font-size: 22px; font-weight: 600; display: block; }
.card .l { color: var(--fg-muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.sev-counts { display: flex; flex-wrap: wrap; gap: 6px; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 11.5px; font-weight: 600;
  text-transform: uppercase; letter-spacing: .04em; border: 1px solid currentColor; white-space: nowrap; }
.sev-critical { color: var(--critical); background: var(--critical-bg); }
.sev-high { color: var(--high); background: var(--high-bg); }
.sev-medium { color: var(--medium); background: var(--medium-bg); }
.sev-low { color: var(--low); background: var(--low-bg); }
.sev-info { color: var(--info); background: var(--info-bg); }
.st-pass, .v-safe { color: var(--pass); background: var(--pass-bg); }
.st-fail, .v-unsafe { color: var(--fail); background: var(--fail-bg); }
.v-suspicious { color: var(--medium); background: var(--medium-bg); }
.st-error, .v-error { color: var(--error); background: var(--error-bg); }
.st-neutral { color: var(--fg-muted); background: var(--bg-soft); }
.toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 12px; margin: 0 0 12px;
  border: 1px solid var(--border); border-radius: 8px; background: var(--bg-soft); }
.toolbar label { display: inline-flex; gap: 4px; align-items: center; cursor: pointer; }
.toolbar input[type=search] { flex: 1; min-width: 180px; padding: 4px 8px; border: 1px solid var(--border);
  border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
.rule { border: 1px solid var(--border); border-radius: 8px; margin: 0 0 14px; overflow: hidden; }
.rule > header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 10px 14px;
  background: var(--bg-soft); border-bottom: 1px solid var(--border); }
.rule > header h4 { margin: 0; font-size: 14.5px; }
.rule > header .rule-id { color: var(--fg-muted); }
.rule > header .count { margin-left: auto; color: var(--fg-muted); }
.explain { padding: 10px 14px 4px; }
.explain p { margin: 0 0 8px; }
.explain .label { font-weight: 600; }
.tags { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 0 0 8px; }
.tags li { border: 1px solid var(--border); border-radius: 6px; padding: 0 6px; font-size: 12px; }
.occurrences { list-style: none; margin: 0; padding: 0; }
.finding { border-top: 1px solid var(--border); padding: 10px 14px; }
.finding .message { margin: 0 0 4px; font-weight: 500; }
.finding .loc { margin: 0; color: var(--fg-muted); }
.finding .loc code { color: var(--fg); }
pre { background: var(--bg-code); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px;
  margin: 6px 0 0; overflow-x: auto; white-space: pre-wrap; max-height: 320px; overflow-y: auto; }
details.info-group > summary { cursor: pointer; color: var(--fg-muted); margin: 8px 0; }
details.info-group > summary > h3 { display: inline-block; margin: 0; }
th.resource { width: 30%; }
table { width: 100%; border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--border); }
th { background: var(--bg-soft); font-weight: 600; font-size: 12.5px; }
td.num, th.num { text-align: right; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--fg-muted); }
dl.facts dd { margin: 0; }
.empty { color: var(--fg-muted); font-style: italic; }
.callout { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; background: var(--note-bg); }
footer { margin-top: 40px; color: var(--fg-muted); font-size: 12px; border-top: 1px solid var(--border); padding-top: 10px; }
@media print {
  :root { color-scheme: light; }
  html, body { background: #fff; color: #000; }
  body { max-width: none; padding: 0; font-size: 11px; }
  .toolbar { display: none !important; }
  .rule, .finding, tr, .banner, .card { break-inside: avoid; }
  h2 { break-after: avoid; }
  pre { max-height: none; overflow: visible; }
  a { color: inherit; }
}
`;
