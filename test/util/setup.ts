import { Testing } from 'cdk8s';
import { expectValidManifests } from './k8s-schema';

/**
 * Every manifest any test synthesizes with `Testing.synth()` is checked against the Kubernetes
 * 1.27 schema, so no test can pass on an object the API server would refuse. (Tests of the
 * validator itself render invalid objects with `chart.toJson()` instead.)
 */
const synth = Testing.synth.bind(Testing);
Testing.synth = (chart) => {
  const manifests = synth(chart);
  expectValidManifests(manifests);
  return manifests;
};

// Synth-time warnings go to stderr for `cdk8s synth` users; tests assert them through construct
// metadata (allWarnings()), so keep the test output readable.
beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
