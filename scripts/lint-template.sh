#!/usr/bin/env bash
# Lints the CloudFormation templates `sls package` writes, with cfn-lint and checkov from the project's .venv
# (scripts/requirements-test.txt). The main service (serverless.yml) six times: every default (hostedzone/*, no name
# condition, no alarm topic), the parameters a production stage sets, the zones in another account (dnsRoleArn), and
# the private side three ways: private zones with a DELEGATE rule on an existing outbound endpoint, split view with a
# FORWARD rule on an endpoint the stack creates, and a rule kept through the DNS account's role (dnsRoleArn).
# The DNS account's role (dns-account/serverless.yml) twice: trust by account ids with an external id, and by an
# organization with the Resolver statements. All must pass with no finding; a suppressed checkov check carries its
# reason beside it in the serverless.yml (Metadata.checkov.skip[].comment).
# Offline: osls needs no credentials to package (see serverless.yml); checkov runs with --skip-download.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
for tool in cfn-lint checkov; do
  if [[ ! -x $bin/$tool ]]; then
    echo "lint-template: $bin/$tool is missing; run npm run setup:venv" >&2
    exit 1
  fi
done
out=$(mktemp -d "${TMPDIR:-/tmp}/rlec-dns-lint-XXXXXX")
trap 'rm -rf "$out"' EXIT

# lint <name> <service folder> [sls package arguments...]
lint() {
  local name=$1 service=$2
  shift 2
  # No AWS configuration reachable: packaging must not depend on it.
  (cd "$service" && env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    HOME="$out/home" AWS_CONFIG_FILE="$out/none" AWS_SHARED_CREDENTIALS_FILE="$out/none" \
    AWS_EC2_METADATA_DISABLED=true \
    node "$OLDPWD/node_modules/osls/bin/serverless.js" package --package "$out/$name" "$@") >"$out/$name.log" 2>&1 || {
    cat "$out/$name.log" >&2
    exit 1
  }
  local template=$out/$name/cloudformation-template-update-stack.json
  echo "lint-template ($name): cfn-lint"
  "$bin/cfn-lint" --format parseable -- "$template"
  echo "lint-template ($name): checkov"
  BC_SKIP_MAPPING=TRUE "$bin/checkov" --quiet --compact --skip-download --framework cloudformation \
    --output cli -f "$template"
}

lint defaults .
lint production . --stage prod \
  '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ,Z1123456789ABCDEFGHIJ' \
  '--param=recordNames=*.example.com' \
  '--param=alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:rlec-dns-alarms'
lint dns-role . --stage prod \
  '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ' \
  '--param=dnsRoleArn=arn:aws:iam::222222222222:role/rlec-dns-prod' \
  '--param=dnsRoleExternalId=rlec-dns-prod'
lint private-delegate . --stage prod \
  '--param=zoneType=private' \
  '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ' \
  '--param=resolverEndpointId=rslvr-out-0123456789abcdef0' \
  '--param=resolverVpcIds=vpc-0123456789abcdef0'
lint forward-endpoint . --stage prod \
  '--param=zoneType=both' \
  '--param=addressFamily=dual' \
  '--param=resolverRule=forward' \
  '--param=resolverSubnetIds=subnet-0123456789abcdef0,subnet-1123456789abcdef0' \
  '--param=resolverSecurityGroupIds=sg-0123456789abcdef0'
lint dns-role-resolver . --stage prod \
  '--param=dnsRoleArn=arn:aws:iam::222222222222:role/rlec-dns-prod' \
  '--param=zoneType=private' \
  '--param=resolverEndpointId=rslvr-out-0123456789abcdef0'
lint dns-account-accounts dns-account --stage prod \
  '--param=trustedAccountIds=111111111111,333333333333' \
  '--param=externalId=rlec-dns-prod' \
  '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ' \
  '--param=recordNames=*.example.com'
lint dns-account-organization dns-account --stage prod \
  '--param=trustedOrgId=o-a1b2c3d4e5' \
  '--param=trustedPrincipalArns=arn:aws:iam::*:role/rlec-dns-*-lambdaRole' \
  '--param=recordTypes=A,AAAA,NS,TXT' \
  '--param=resolverRules=true'
echo "lint-template: no finding"
