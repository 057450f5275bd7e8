import { z } from 'zod';

/** The version every record written by this code carries in its `v` field. */
export const SCHEMA_VERSION = 1;

/** RFC 3339 date-time with a `Z` or `±hh:mm` offset, as the service writes them. */
export const IsoDateTime = z.iso.datetime({ offset: true });

export const Count = z.number().int().nonnegative();
