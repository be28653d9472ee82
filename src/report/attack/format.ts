/** Number formats shared by the text and HTML attack reports. */

/** 0.9844 → "98.44%". */
export function percent(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

/** ε and perturbations: up to 4 significant digits, no trailing zeros (0.1, 0.03137, 1.5). */
export function short(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(4)));
}

/** Seconds with one decimal below 100 s. */
export function seconds(v: number): string {
  return v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** Mean queries per point, whole numbers. */
export function queries(v: number): string {
  return v.toFixed(0);
}
