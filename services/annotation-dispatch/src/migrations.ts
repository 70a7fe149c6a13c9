import { DispatchOpaqueTaskIds1733300000000 } from './dispatch-v5.migration';
import { DispatchLabelSchemas1733400000000 } from './dispatch-v6.migration';
import { DispatchLabelStudioEdits1733500000000 } from './dispatch-v7.migration';
import { CreateDispatchTables1732340000000 } from './dispatch.migration';
import { DispatchAnnotatorStatus1732430000000 } from './dispatch-v2.migration';
import { DispatchLabelStudio1732520000000 } from './dispatch-v3.migration';
import { DispatchGoldItems1732530000000 } from './dispatch-v4.migration';

/** The annotation-dispatch schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [
  CreateDispatchTables1732340000000,
  DispatchAnnotatorStatus1732430000000,
  DispatchLabelStudio1732520000000,
  DispatchGoldItems1732530000000,
  DispatchOpaqueTaskIds1733300000000,
  DispatchLabelSchemas1733400000000,
  DispatchLabelStudioEdits1733500000000,
];
