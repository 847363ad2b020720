// The Route 53 Resolver statements of the DNS account's role, behind the resolverRules parameter: the main template's
// own list (../scripts/resolver-statements.cjs, where the reference and the tag contract are), on the rules of this
// account in every Region (Resolver rules are regional, the role is not) and on any outbound endpoint of this account
// (each workload deployment names its own, by resolverEndpointId).
'use strict';

const shared = require('../scripts/resolver-statements.cjs');

const ENDPOINTS = { 'Fn::Sub': `arn:\${AWS::Partition}:route53resolver:*:\${AWS::AccountId}:resolver-endpoint/*` };

/** The role's Resolver statements. */
const resolverStatements = () => shared.resolverStatements({ region: '*', endpointArn: ENDPOINTS });

module.exports = { resolverStatements, HERITAGE_TAG: shared.HERITAGE_TAG, HERITAGE: shared.HERITAGE };
