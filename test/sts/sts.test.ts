import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iamUserName, stsTarget, stsUrl } from '../../src/sts/sts.js';
import type { StsSettings } from '../../src/config/chain.js';
import { isMfaLoginError } from '../../src/errors.js';

/**
 * Where a call goes for every STS setting of a profile and its environment form, in the order the
 * SDKs apply them. The URL is what the SDK resolves for that target (the e2e tests check the host
 * it really calls through --debug).
 */
const cases: [why: string, settings: StsSettings, env: Record<string, string>, url: string][] = [
  ['nothing set: us-east-1, regional', {}, {}, 'https://sts.us-east-1.amazonaws.com'],
  ['region in the profile', { region: 'eu-west-1' }, {}, 'https://sts.eu-west-1.amazonaws.com'],
  ['AWS_REGION over the profile', { region: 'eu-west-1' }, { AWS_REGION: 'ap-south-1' }, 'https://sts.ap-south-1.amazonaws.com'],
  ['AWS_DEFAULT_REGION over the profile', { region: 'eu-west-1' }, { AWS_DEFAULT_REGION: 'ca-central-1' }, 'https://sts.ca-central-1.amazonaws.com'],
  ['AWS_REGION over AWS_DEFAULT_REGION', {}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ca-central-1' }, 'https://sts.us-west-2.amazonaws.com'],
  ['use_fips_endpoint = true', { useFips: true }, {}, 'https://sts-fips.us-east-1.amazonaws.com'],
  ['use_fips_endpoint with a GovCloud region', { useFips: true, region: 'us-gov-west-1' }, {}, 'https://sts-fips.us-gov-west-1.amazonaws.com'],
  ['AWS_USE_FIPS_ENDPOINT=true', {}, { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://sts-fips.us-east-1.amazonaws.com'],
  ['AWS_USE_FIPS_ENDPOINT=false over the profile', { useFips: true }, { AWS_USE_FIPS_ENDPOINT: 'false' }, 'https://sts.us-east-1.amazonaws.com'],
  ['sts_regional_endpoints = legacy in us-east-1: the global endpoint', { regionalEndpoints: 'legacy' }, {}, 'https://sts.amazonaws.com'],
  ['sts_regional_endpoints = legacy elsewhere: regional', { regionalEndpoints: 'legacy', region: 'eu-west-1' }, {}, 'https://sts.eu-west-1.amazonaws.com'],
  ['AWS_STS_REGIONAL_ENDPOINTS=regional over legacy', { regionalEndpoints: 'legacy' }, { AWS_STS_REGIONAL_ENDPOINTS: 'regional' }, 'https://sts.us-east-1.amazonaws.com'],
  ['AWS_STS_REGIONAL_ENDPOINTS=legacy', {}, { AWS_STS_REGIONAL_ENDPOINTS: 'legacy' }, 'https://sts.amazonaws.com'],
  ['China', { region: 'cn-north-1' }, {}, 'https://sts.cn-north-1.amazonaws.com.cn'],
  ['endpoint_url in the profile', { endpointUrl: 'http://127.0.0.1:4000' }, {}, 'http://127.0.0.1:4000'],
  ['endpoint_url beats FIPS', { endpointUrl: 'http://127.0.0.1:4000', useFips: true }, {}, 'http://127.0.0.1:4000'],
  ['AWS_ENDPOINT_URL over endpoint_url', { endpointUrl: 'http://127.0.0.1:4000' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, 'http://127.0.0.1:5000'],
  ['AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL', {}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:6000' }, 'http://127.0.0.1:6000'],
  ['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', { endpointUrl: 'http://127.0.0.1:4000' }, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, 'https://sts.us-east-1.amazonaws.com'],
];

for (const [why, settings, env, url] of cases) {
  test(`stsTarget: ${why}`, () => assert.equal(stsUrl(stsTarget(settings, env)), url));
}

for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
  for (const value of ["x';touch /tmp/pwned;#", 'EU-WEST-1', 'eu west 1', '-eu', 'a'.repeat(41)]) {
    test(`stsTarget: ${name}=${JSON.stringify(value.slice(0, 20))} is refused as a config error naming the variable`, () => {
      assert.throws(() => stsTarget({}, { [name]: value }), (e: unknown) => isMfaLoginError(e) && e.exitStatus === 3 && e.message.startsWith(`${name}=`));
    });
  }
}

/**
 * The user name IAM calls made with an MFA session must carry, from GetCallerIdentity's ARN: the
 * last path segment (aws-vault's rotate once sent "team/roger" and IAM refused it as invalid).
 */
const arns: [arn: string, name: string | undefined][] = [
  ['arn:aws:iam::111111111111:user/alice', 'alice'],
  ['arn:aws:iam::111111111111:user/team/dev/roger.lopez', 'roger.lopez'],
  ['arn:aws-us-gov:iam::444444444444:user/carol', 'carol'],
  ['arn:aws-cn:iam::555555555555:user/ops/li+ming@example.com', 'li+ming@example.com'],
  ['arn:aws:iam::111111111111:root', undefined],
  ['arn:aws:sts::222222222222:assumed-role/Admin/alice', undefined],
  ['arn:aws:sts::111111111111:federated-user/bob', undefined],
];
for (const [arn, name] of arns) {
  test(`iamUserName: ${arn} is ${name === undefined ? 'not an IAM user' : name}`, () => assert.equal(iamUserName(arn), name));
}
