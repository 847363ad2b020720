// The Route 53 Resolver statements of the DNS account's role, for the private-DNS issue's rules (one Resolver rule per
// private cluster, on an outbound endpoint, associated with the private zone's VPCs), behind the resolverRules
// parameter. From the Service Authorization Reference for route53resolver: resolver-rule ARNs
// (arn:${Partition}:route53resolver:${Region}:${Account}:resolver-rule/${ResourceId}) take aws:ResourceTag;
// CreateResolverRule and TagResource take aws:RequestTag and aws:TagKeys; ListResolverRules and
// ListResolverRuleAssociations have no resource-level permissions; AssociateResolverRule and
// ListResolverRuleAssociations depend on ec2:DescribeVpcs.
//
// The contract with the code that creates the rules: every rule it creates carries the tag rlec-dns:heritage=rlec-dns
// and only tags whose keys start with `rlec-dns:`. Then the role can create only rules so tagged, and update, delete,
// associate or disassociate only rules that carry the tag: a rule someone else made is never changed. It can read
// every rule (to see a foreign rule for a cluster's name and refuse it, loudly). What IAM cannot say: TagResource on
// an existing rule that lacks the tag (tag-on-create and a later tagging look alike), so the role could brand a
// foreign rule; the code never tags a rule it did not create.
'use strict';

const HERITAGE_TAG = 'rlec-dns:heritage';
const HERITAGE = 'rlec-dns';
const TAG_KEYS = 'rlec-dns:*';

const sub = (arn) => ({ 'Fn::Sub': arn });
// In every Region of this (the DNS) account: Resolver rules are regional, the role is not.
const RULES = sub(`arn:\${AWS::Partition}:route53resolver:*:\${AWS::AccountId}:resolver-rule/*`);
// CreateResolverRule names the outbound endpoint the rule uses.
const ENDPOINTS = sub(`arn:\${AWS::Partition}:route53resolver:*:\${AWS::AccountId}:resolver-endpoint/*`);

/** A request that tags the rule as ours, with our tag keys only. */
const taggedAsOurs = {
  StringEquals: { [`aws:RequestTag/${HERITAGE_TAG}`]: HERITAGE },
  'ForAllValues:StringLike': { 'aws:TagKeys': [TAG_KEYS] },
};
/** A rule that carries our tag. */
const ours = { StringEquals: { [`aws:ResourceTag/${HERITAGE_TAG}`]: HERITAGE } };

function resolverStatements() {
  return [
    {
      Effect: 'Allow',
      Action: ['route53resolver:ListResolverRules', 'route53resolver:ListResolverRuleAssociations', 'ec2:DescribeVpcs'],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: [
        'route53resolver:GetResolverRule',
        'route53resolver:GetResolverRuleAssociation',
        'route53resolver:ListTagsForResource',
      ],
      Resource: RULES,
    },
    {
      Effect: 'Allow',
      Action: ['route53resolver:CreateResolverRule'],
      Resource: [RULES, ENDPOINTS],
      Condition: taggedAsOurs,
    },
    { Effect: 'Allow', Action: ['route53resolver:TagResource'], Resource: RULES, Condition: taggedAsOurs },
    {
      Effect: 'Allow',
      Action: [
        'route53resolver:UpdateResolverRule',
        'route53resolver:DeleteResolverRule',
        'route53resolver:AssociateResolverRule',
        'route53resolver:DisassociateResolverRule',
      ],
      Resource: RULES,
      Condition: ours,
    },
  ];
}

module.exports = { resolverStatements, HERITAGE_TAG, HERITAGE };
