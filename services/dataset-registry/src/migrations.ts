import { CreateRegistryTables1732360000000 } from './registry.migration';
import { RegistryTrieVersions1732450000000 } from './registry-v2.migration';
import { RegistryItemFeatures1732540000000 } from './registry-v3.migration';
import { RegistryItemPerDataset1733460000000 } from './registry-v4.migration';

/** The dataset-registry schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [
  CreateRegistryTables1732360000000,
  RegistryTrieVersions1732450000000,
  RegistryItemFeatures1732540000000,
  RegistryItemPerDataset1733460000000,
];
