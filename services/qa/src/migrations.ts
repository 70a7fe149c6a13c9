import { CreateQaTables1732350000000 } from './qa.migration';
import { QaScorecards1732420000000 } from './qa-v2.migration';
import { QaGuidelineReviews1732460000000 } from './qa-v3.migration';
import { QaPoliciesAndBatches1732500000000 } from './qa-v4.migration';
import { QaAnnotatorResume1732540000000 } from './qa-v5.migration';
import { QaQualityHistory1733390000000 } from './qa-v6.migration';
import { QaAdaptiveOverlap1733480000000 } from './qa-v7.migration';
import { QaTaskTypes1733500000000 } from './qa-v8.migration';

/** The qa schema's migrations, oldest first: run by main.ts and by the specs that need its tables. */
export const migrations = [
  CreateQaTables1732350000000,
  QaScorecards1732420000000,
  QaGuidelineReviews1732460000000,
  QaPoliciesAndBatches1732500000000,
  QaAnnotatorResume1732540000000,
  QaQualityHistory1733390000000,
  QaAdaptiveOverlap1733480000000,
  QaTaskTypes1733500000000,
];
