import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { CreateRetrainTables1732370000000 } from './retrain.migration';
import { RetrainPoliciesAndPromotion1732410000000 } from './retrain-v2.migration';

/** The retrain-trigger schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [CreateRetrainTables1732370000000, RetrainPoliciesAndPromotion1732410000000, CreateModelOwner1733300000000];
