import { DropIngestedEvent1764806400000 } from './drift-v3.migration';
import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { CreateDriftTables1732380000000 } from './drift.migration';
import { DriftDetectorV21732390000000 } from './drift-v2.migration';
import { IngestedEventIndex1732610000000 } from './ingest/ingested-event-index.migration';
import { CreateWindowStats1764900000000 } from './window-stats.migration';
import { WindowAccuracy1765000000000 } from './window-accuracy.migration';

/** The drift-detection schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [
  CreateDriftTables1732380000000,
  DriftDetectorV21732390000000,
  IngestedEventIndex1732610000000,
  CreateModelOwner1733300000000,
  DropIngestedEvent1764806400000,
  CreateWindowStats1764900000000,
  WindowAccuracy1765000000000,
];
