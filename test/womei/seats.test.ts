/**
 * Seat labels against the seats Womei reports: the captured 1-seat order was created with
 * `seatlable=10014:10:12:11010521#06#17` and its order/info says `area_seats: [{area_id:"10014", seat:"10排12座"}]`
 * (wire-fixtures.ts holds that body). The canonical seat and the repeat rule of src/womei/seats.ts.
 */
import * as S from '../../src/womei/schemas';
import { parseSeatLabel, positionsOfAreaSeats, repeatedSeats, rowColsOfSeatInfo, sameSeats } from '../../src/womei/seats';
import * as W from './wire-fixtures';

const CAPTURED_LABEL = '10014:10:12:11010521#06#17';

test('the captured create label and the captured order/info name the same seat', () => {
  const info = S.orderInfoData.parse(W.orderInfoPending);
  const label = parseSeatLabel(CAPTURED_LABEL)!;
  expect(label).toEqual({ position: '10014:10:12', rowCol: '10:12', seatNo: '11010521#06#17' });
  expect(positionsOfAreaSeats(info.ticketItems.areaSeats)).toEqual([label.position]);
  expect(rowColsOfSeatInfo(info.ticketItems.seatInfo)).toEqual([label.rowCol]);
});

test('several seats: " | "-joined seat_info, and area_seats one per seat or grouped by area', () => {
  expect(rowColsOfSeatInfo('5排8座 | 5排9座')).toEqual(['5:8', '5:9']);
  const perSeat = positionsOfAreaSeats([{ areaId: '10013', seat: '5排8座' }, { areaId: '10013', seat: '5排9座' }]);
  const grouped = positionsOfAreaSeats([{ areaId: '10013', seat: '5排8座 | 5排9座' }]);
  expect(perSeat).toEqual(['10013:5:8', '10013:5:9']);
  expect(grouped).toEqual(perSeat);
  expect(sameSeats(perSeat!, ['10013:5:9', '10013:5:8'])).toBe(true);
});

test('what cannot be read proves nothing', () => {
  expect(rowColsOfSeatInfo('A排5座')).toBeNull();
  expect(positionsOfAreaSeats([{ areaId: '', seat: '5排8座' }])).toBeNull();
  expect(positionsOfAreaSeats([{ areaId: '10013', seat: '' }])).toBeNull();
  expect(parseSeatLabel('7排5座')).toBeNull();
  expect(parseSeatLabel('10013:7:5:a|b')).toBeNull();
});

test('sameSeats is an exact multiset comparison', () => {
  expect(sameSeats(['1:1:1', '1:1:2'], ['1:1:2', '1:1:1'])).toBe(true);
  expect(sameSeats(['1:1:1', '1:1:2'], ['1:1:1'])).toBe(false);
  expect(sameSeats(['1:1:1', '1:1:2'], ['1:1:1', '1:1:3'])).toBe(false);
  expect(sameSeats(['1:1:1', '1:1:1'], ['1:1:1', '1:1:1'])).toBe(false);
  expect(sameSeats([], [])).toBe(true);
});

test('canonical seat: position in decimal, seat_no without letter case; a repeat names the later label', () => {
  expect(parseSeatLabel('010013:07:05:a1#07#05')).toEqual({ position: '10013:7:5', rowCol: '7:5', seatNo: 'A1#07#05' });
  expect(repeatedSeats(['10013:7:5:A1#07#05', '10013:7:5:a1#07#05'])).toEqual([{ index: 1, first: 0, by: 'position' }]);
  expect(repeatedSeats(['10013:7:5:X#1', '10013:7:6:x#1'])).toEqual([{ index: 1, first: 0, by: 'seat_no' }]);
  expect(repeatedSeats(['10013:7:5:11112211#07#05', '10013:7:4:11112211#07#04'])).toEqual([]);
});
