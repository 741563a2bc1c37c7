/**
 * Womei sends money as yuan numbers with up to two decimals (35.9, 71.8). Sums and differences of such floats
 * drift (71.8 - 35.9 is not exactly 35.9 in binary), so every comparison is done in integer fen.
 */
export function toFen(yuan: number): number {
  return Math.round(yuan * 100);
}

export function fromFen(fen: number): number {
  return fen / 100;
}
