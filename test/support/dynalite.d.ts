// dynalite ships no types; this is the part of its API the differential test uses (its README, "Programmatically").
declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** How long a new table stays CREATING (default 500 ms). */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
    /** A LevelDB directory; in memory when left out. */
    readonly path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
