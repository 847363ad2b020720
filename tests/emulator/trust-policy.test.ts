import { describe, expect, it } from 'vitest';
import { type AssumeRoleCall, trustAllows } from '../../tools/emulator/trust-policy.js';

const functionSession: AssumeRoleCall = {
  account: '111111111111',
  principalArn: 'arn:aws:iam::111111111111:role/rlec-dns-prod-eu-west-1-lambdaRole',
  orgId: 'o-abcdefghij',
  externalId: 'rlec-dns',
};

const allow = (statement: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
});

describe('trustAllows', () => {
  it('lets an account named by its id or by its root ARN assume the role, and no other account', () => {
    // Prepare
    const byId = allow({ Principal: { AWS: '111111111111' } });
    const byRoot = allow({ Principal: { AWS: ['arn:aws:iam::333333333333:root', 'arn:aws:iam::111111111111:root'] } });
    const other = allow({ Principal: { AWS: 'arn:aws:iam::333333333333:root' } });

    // Act
    const verdicts = [byId, byRoot, other].map((policy) => trustAllows(policy, functionSession));

    // Assess
    expect(verdicts).toEqual([true, true, false]);
  });

  it('requires every condition key to match, and a key the call lacks never matches', () => {
    // Prepare
    const policy = allow({
      Principal: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'sts:ExternalId': 'rlec-dns' } },
    });
    const { externalId: _none, ...withoutExternalId } = functionSession;

    // Act
    const verdicts = [
      trustAllows(policy, functionSession),
      trustAllows(policy, { ...functionSession, externalId: 'other' }),
      trustAllows(policy, withoutExternalId),
      trustAllows(policy, { ...functionSession, orgId: 'o-zzzzzzzzzz' }),
    ];

    // Assess
    expect(verdicts).toEqual([true, false, false, false]);
  });

  it('matches principal ARN patterns with ArnLike wildcards', () => {
    // Prepare
    const policy = allow({
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/rlec-dns-*-lambdaRole' } },
    });

    // Act
    const verdicts = [
      trustAllows(policy, functionSession),
      trustAllows(policy, { ...functionSession, principalArn: 'arn:aws:iam::111111111111:user/alice' }),
    ];

    // Assess
    expect(verdicts).toEqual([true, false]);
  });

  it('lets a matching Deny win over an Allow', () => {
    // Prepare
    const policy = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:*' },
        { Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' },
      ],
    };

    // Act
    const verdict = trustAllows(policy, functionSession);

    // Assess
    expect(verdict).toBe(false);
  });

  it('refuses when no statement grants sts:AssumeRole', () => {
    // Act
    const verdict = trustAllows(
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:TagSession' }] },
      functionSession,
    );

    // Assess
    expect(verdict).toBe(false);
  });

  it('throws on what it does not evaluate, rather than judge it differently from AWS', () => {
    // Prepare
    const notPrincipal = { Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: '1' }, Action: 'sts:AssumeRole' }] };
    const ifExists = allow({ Principal: '*', Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'x' } } });
    const sourceIp = allow({ Principal: '*', Condition: { StringEquals: { 'aws:SourceIp': '10.0.0.1' } } });

    // Act, Assess
    expect(() => trustAllows(notPrincipal, functionSession)).toThrow(/does not evaluate NotPrincipal/);
    expect(() => trustAllows(ifExists, functionSession)).toThrow(/condition operator StringEqualsIfExists/);
    expect(() => trustAllows(sourceIp, functionSession)).toThrow(/condition key aws:SourceIp/);
  });
});
