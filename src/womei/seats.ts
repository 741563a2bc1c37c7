/**
 * Seats as the checkout names them (`seatlable` parts, `{area_no}:{row}:{col}:{seat_no}`, docs/womei-api.md §3.1) and
 * as Womei reports them back (`order/info` `ticket_items.area_seats`: `area_id` and `"{row}排{col}座"`, §3.3;
 * `user/orders` `seat_info`: `"5排8座 | 5排9座"`, no area). Pure: the workflow bundle uses it (input.ts).
 *
 * THE CANONICAL SEAT (the choice; Womei's own rules are unknown): a seat is its POSITION, `{area}:{row}:{col}`
 * with each part read as a decimal number (leading zeros dropped), because the position is the only thing Womei
 * reports an order's seats by, so it is what an order is proven to hold the request's seats with. `seat_no` is
 * hall/info's own id of the seat; it is compared without regard to letter case (every captured one is digits and
 * `#`, so case carries no meaning we know of). Two labels with the same position, or the same seat_no, name the
 * same seat. A label is still sent to Womei exactly as given: hall/info made it, and rewriting it could only
 * break a match Womei makes on its own terms.
 */

/** `10013:7:5:11112211#07#05`: three digit groups and the seat_no (no `:`, `|` or whitespace inside). */
const SEAT_LABEL = /^(\d+):(\d+):(\d+):([^:|\s]+)$/;
/** One seat of `seat_info` / `area_seats[].seat`: `10排12座`. */
const SEAT_TEXT = /^(\d+)\s*排\s*(\d+)\s*座$/;

/** Decimal digits without leading zeros (`07` → `7`, `0` stays `0`). */
const decimal = (digits: string): string => digits.replace(/^0+(?=\d)/, '');

export interface SeatLabelParts {
  /** `{area}:{row}:{col}`, canonical. */
  position: string;
  /** `{row}:{col}`, canonical: what `user/orders` (which names no area) can be compared on. */
  rowCol: string;
  /** The seat_no in upper case. */
  seatNo: string;
}

/** The canonical parts of a label, or null when it is not `{digits}:{digits}:{digits}:{seat_no}`. */
export function parseSeatLabel(label: string): SeatLabelParts | null {
  const m = SEAT_LABEL.exec(label);
  if (!m) return null;
  const [, area, row, col, seatNo] = m as unknown as [string, string, string, string, string];
  const rowCol = `${decimal(row)}:${decimal(col)}`;
  return { position: `${decimal(area)}:${rowCol}`, rowCol, seatNo: seatNo.toUpperCase() };
}

/** `{row}:{col}` keys of a `seat_info` text (`5排8座 | 5排9座`), or null when a part is not `N排M座`. */
export function rowColsOfSeatInfo(seatInfo: string): string[] | null {
  const parts = seatInfo.split('|').map((s) => s.trim()).filter((s) => s !== '');
  const keys: string[] = [];
  for (const part of parts) {
    const m = SEAT_TEXT.exec(part);
    if (!m) return null;
    keys.push(`${decimal(m[1]!)}:${decimal(m[2]!)}`);
  }
  return keys;
}

export interface AreaSeats {
  areaId: string;
  /** One seat (`10排12座`) or, should Womei group an area's seats in one entry, several joined with ` | `. */
  seat: string;
}

/** Canonical positions of an order's `area_seats`, or null when any entry cannot be read. */
export function positionsOfAreaSeats(areaSeats: readonly AreaSeats[]): string[] | null {
  const positions: string[] = [];
  for (const entry of areaSeats) {
    if (!/^\d+$/.test(entry.areaId)) return null;
    const rowCols = rowColsOfSeatInfo(entry.seat);
    if (rowCols === null || rowCols.length === 0) return null;
    for (const rc of rowCols) positions.push(`${decimal(entry.areaId)}:${rc}`);
  }
  return positions;
}

/** Same seats, each exactly once on both sides (a multiset comparison: a repeated key never matches). */
export function sameSeats(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((k, i) => k === y[i]) && new Set(x).size === x.length;
}

export interface SameSeatRepeat {
  /** Index of the later label. */
  index: number;
  /** Index of the earlier label naming the same seat. */
  first: number;
  by: 'position' | 'seat_no';
}

/** Labels naming a seat an earlier label already named (canonical position or seat_no). Unparseable labels are skipped. */
export function repeatedSeats(labels: readonly string[]): SameSeatRepeat[] {
  const byPosition = new Map<string, number>();
  const bySeatNo = new Map<string, number>();
  const repeats: SameSeatRepeat[] = [];
  labels.forEach((label, index) => {
    const p = parseSeatLabel(label);
    if (!p) return;
    const samePosition = byPosition.get(p.position);
    const sameSeatNo = bySeatNo.get(p.seatNo);
    if (samePosition !== undefined) repeats.push({ index, first: samePosition, by: 'position' });
    else if (sameSeatNo !== undefined) repeats.push({ index, first: sameSeatNo, by: 'seat_no' });
    if (samePosition === undefined) byPosition.set(p.position, index);
    if (sameSeatNo === undefined) bySeatNo.set(p.seatNo, index);
  });
  return repeats;
}
