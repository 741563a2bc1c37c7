/** The catalogue's endpoints the client reads (loosely typed: only tools read them). */
import { z } from 'zod';
import { emptyAs } from './common';

// ---- hall/info/ (§3.17) -------------------------------------------------------------------------------------

/** The seat map, loosely typed: its one reader (bench/cluster.ts) walks `room_seat` itself. */
export const hallInfoData = emptyAs({}, z.record(z.string(), z.unknown()));
