// The Route 53 Resolver statements of a role that keeps the private side's rules (one Resolver rule per private
// cluster, on an outbound endpoint, associated with the private zone's VPCs), shared by the two templates that grant
// them: the functions' own role (serverless.yml, scripts/template-values.cjs) and the DNS account's role the functions
// assume (dns-account/serverless.yml, dns-account/resolver-statements.cjs). One copy of the list, as for Route 53.
//
// From the Service Authorization Reference for route53resolver (as transcribed in iann0036/iam-dataset,
// aws/iam_definition.json): resolver-rule ARNs (arn:${Partition}:route53resolver:${Region}:${Account}:resolver-rule/
// ${ResourceId}) take aws:ResourceTag on Get, Update, Delete, Associate, Disassociate and ListTagsForResource;
// CreateResolverRule (resource resolver-rule*) and TagResource take aws:RequestTag and aws:TagKeys, and
// CreateResolverRule depends on TagResource (tags on create are authorised as TagResource too);
// ListResolverRules and ListResolverRuleAssociations have no resource-level permissions (Resource "*").
// ec2:DescribeVpcs: what CloudFormation's own handler for an association (AWS::Route53Resolver::
// ResolverRuleAssociation) asks for besides AssociateResolverRule; read-only, no resource-level permissions.
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

/** The resolver-rule ARNs of this account in `region`: `*`, or `${AWS::Region}` for the stack's own. */
const ruleArns = (region) => sub(`arn:\${AWS::Partition}:route53resolver:${region}:\${AWS::AccountId}:resolver-rule/*`);

/** A request that tags the rule as ours, with our tag keys only. */
const taggedAsOurs = {
  StringEquals: { [`aws:RequestTag/${HERITAGE_TAG}`]: HERITAGE },
  'ForAllValues:StringLike': { 'aws:TagKeys': [TAG_KEYS] },
};
/** A rule that carries our tag. */
const ours = { StringEquals: { [`aws:ResourceTag/${HERITAGE_TAG}`]: HERITAGE } };

/**
 * Read every rule and association; create and tag only rules tagged as ours; update, delete, associate and
 * disassociate only rules that carry our tag. CreateResolverRule lists the endpoint the rules use beside the rule
 * ARNs: the reference names only resolver-rule for it today, so the endpoint ARN narrows nothing yet, but keeps a
 * later resource-level check on the endpoint bound to ours.
 *
 * @param {{ region: string, endpointArn: unknown }} where the rules' Region (`*` or `${AWS::Region}`) and the
 *   outbound endpoint's ARN (a string pattern, or an intrinsic function such as Fn::GetAtt)
 */
function resolverStatements({ region, endpointArn }) {
  const rules = ruleArns(region);
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
      Resource: rules,
    },
    {
      Effect: 'Allow',
      Action: ['route53resolver:CreateResolverRule'],
      Resource: [rules, endpointArn],
      Condition: taggedAsOurs,
    },
    { Effect: 'Allow', Action: ['route53resolver:TagResource'], Resource: rules, Condition: taggedAsOurs },
    {
      Effect: 'Allow',
      Action: [
        'route53resolver:UpdateResolverRule',
        'route53resolver:DeleteResolverRule',
        'route53resolver:AssociateResolverRule',
        'route53resolver:DisassociateResolverRule',
      ],
      Resource: rules,
      Condition: ours,
    },
  ];
}

module.exports = { resolverStatements, HERITAGE_TAG, HERITAGE, TAG_KEYS };
