export { AwsFault, type FakeAws, type FakeAwsOptions, startFakeAws } from '../../scripts/fake-aws.mjs';
export {
  backupRds,
  COMPONENTS,
  fivestarWorld,
  startFakeWorld,
  type WorldOverrides,
} from '../../scripts/fake-world.mjs';
