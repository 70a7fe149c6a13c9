import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { CreateSamplingTables1732330000000 } from './sampling.migration';
import { SamplingPoliciesAndSignals1732400000000 } from './sampling-v2.migration';

/** The sampling schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [CreateSamplingTables1732330000000, SamplingPoliciesAndSignals1732400000000, CreateModelOwner1733300000000];
