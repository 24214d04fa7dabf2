import type { Check } from '../../../base/model/check.js';
import { deployFreezeCheck } from './freeze.js';
import { deployImageCheck } from './image.js';
import { deployIncidentsCheck } from './incidents.js';
import { newErrorSignaturesCheck } from './new-errors.js';
import { deployRevisionCheck } from './revision.js';
import { stagingImageCheck } from './staging-image.js';

/** The gates of `fsops deploy` (before any change) and its post-deploy revision check. */
export const deployChecks: Check[] = [
  deployImageCheck,
  deployIncidentsCheck,
  deployFreezeCheck,
  stagingImageCheck,
  deployRevisionCheck,
  newErrorSignaturesCheck,
];
