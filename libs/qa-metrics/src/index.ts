/**
 * @labelloop/qa-metrics — pure label-quality functions for the annotation QA service:
 * inter-annotator agreement (percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha),
 * bounding-box and span agreement, label aggregation (majority vote, Dawid–Skene),
 * gold-question accuracy and confident-learning label-issue detection. No I/O.
 */
export { compareLabels, uniqueSortedLabels, type Id, type Label } from './labels';
export { percentAgreement } from './percent-agreement';
export { cohenKappa, type CohenKappaOptions, type KappaWeights } from './cohen-kappa';
export { fleissKappa, ratingsToCounts, type FleissKappaOptions } from './fleiss-kappa';
export { krippendorffAlpha, type KrippendorffAlphaOptions, type MeasurementLevel } from './krippendorff-alpha';
export { linearSumAssignment, type Assignment, type LinearSumAssignmentOptions } from './hungarian';
export { boxFromXYWH, boxIoU, matchBoxes, meanIoUAgreement, type Box, type BoxMatch, type BoxMatching, type MatchBoxesOptions } from './box-matching';
export { spanPRF, type PRF, type Span, type SpanPRFOptions, type SpanPRFResult } from './span-prf';
export { majorityVote, type MajorityVoteResult } from './majority-vote';
export { dawidSkene, type Annotation, type DawidSkeneAnnotator, type DawidSkeneItem, type DawidSkeneOptions, type DawidSkeneResult } from './dawid-skene';
export { goldAccuracy, wilsonInterval, type GoldAccuracy, type GoldAccuracyOptions, type GoldLabels } from './gold-accuracy';
export { cautiousPosterior, type SkillEvidence } from './cautious-posterior';
export { findLabelIssues, type LabelIssues } from './label-issues';
