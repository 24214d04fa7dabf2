export { AwsFault, type FakeAws, type FakeAwsOptions, startFakeAws } from '../../scripts/fake-aws.mjs';
export {
  BLUE_GREEN_STAGES,
  digestOf,
  installRelease,
  REGISTRY,
  type ReleaseOptions,
  type ReleaseWorld,
  releaseWorld,
} from '../../scripts/fake-release.mjs';
export {
  addFakeWorld,
  backupRds,
  COMPONENTS,
  fivestarWorld,
  guideLogGroups,
  type LogArchiveState,
  logArchive,
  startFakeWorld,
  type WorldOverrides,
} from '../../scripts/fake-world.mjs';
