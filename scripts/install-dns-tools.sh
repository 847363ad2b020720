#!/usr/bin/env bash
# Installs the real DNS software the end-to-end test (tests/e2e/) runs on loopback, from Debian's packages:
#   nsd             the parent zone's authoritative server (example.com, as Route 53 would serve it)
#   unbound         the recursive resolver that follows the delegation (unbound-control flushes its cache)
#   bind9-dnsutils  dig, the field guide's check
#   iproute2        ip, which puts the dual-stack test's node addresses on the loopback interface
# Idempotent: does nothing when every tool is already there. Needs root (CI runs as root).
# The packages' own services are not started: their default configurations listen on port 53 of every address,
# which the test needs for its nodes (127.0.0.11-13) and would otherwise find taken.
set -euo pipefail

tools=(nsd nsd-checkzone unbound unbound-control unbound-checkconf dig ip)
missing() {
  local t
  for t in "${tools[@]}"; do
    command -v "$t" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$t" >/dev/null 2>&1 || return 0
  done
  return 1
}

if ! missing; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-dns-tools: root is needed to apt-get install nsd unbound bind9-dnsutils iproute2 (run: sudo $0)" >&2
  exit 1
fi

# Keep the packages' services from starting during the install (invoke-rc.d asks policy-rc.d; 101 = "not allowed").
# Put one in place only if the machine has none, and take it away again whatever happens.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nsd unbound bind9-dnsutils iproute2 >/dev/null

if missing; then
  echo "install-dns-tools: installed, but some of ${tools[*]} are still not on PATH" >&2
  exit 1
fi
echo "install-dns-tools: $(nsd -v 2>&1 | head -n 1); Unbound $(unbound -V | head -n 1 | sed "s/^Version //"); $(dig -v 2>&1 | head -n 1)"
