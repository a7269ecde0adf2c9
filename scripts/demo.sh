#!/usr/bin/env bash
# scripts/demo.sh: the quickstart, end to end, offline.
#
# Builds the provider and the simulator into bin/, starts bin/spuff-sim on a free
# loopback port, points Terraform at the freshly built provider with dev_overrides
# (no `terraform init`, no registry), applies examples/quickstart in a temporary
# copy, shows outputs and state, and destroys everything again.
#
# Nothing is written into the repository except bin/. The simulator and the
# temporary directory are always cleaned up, also on failure or Ctrl-C.
#
# Environment knobs (all optional):
#   CLOUD                      the cloud to simulate: hetzner (default), digitalocean or aws
#   DEMO_KEEP_TMP=1            keep the temporary directory (state, logs) for inspection
#   DEMO_SERVER_READY_DELAY    simulator delay before a server is running   (default 3s)
#   DEMO_IMAGE_READY_DELAY     simulator delay before a snapshot is available (default 3s)
#   DEMO_POLL_INTERVAL         provider poll interval used for the demo       (default 1s)
#   TERRAFORM                  terraform binary (default: terraform on PATH)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/bin"
TERRAFORM="${TERRAFORM:-terraform}"
CLOUD="${CLOUD:-hetzner}"
case "$CLOUD" in
	hetzner|hcloud) CLOUD=hetzner ;;
	digitalocean|do) CLOUD=digitalocean ;;
	aws|ec2) CLOUD=aws ;;
	*) printf 'demo: CLOUD=%s is not simulated; use hetzner, digitalocean or aws\n' "$CLOUD" >&2; exit 2 ;;
esac
SERVER_READY_DELAY="${DEMO_SERVER_READY_DELAY:-3s}"
IMAGE_READY_DELAY="${DEMO_IMAGE_READY_DELAY:-3s}"
POLL_INTERVAL="${DEMO_POLL_INTERVAL:-1s}"

if [ -t 1 ]; then
	BOLD=$'\033[1m'; RED=$'\033[31m'; RESET=$'\033[0m'; NO_COLOR=()
else
	BOLD=''; RED=''; RESET=''; NO_COLOR=(-no-color)
fi
section() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
die() { printf '%sdemo: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"
command -v "$TERRAFORM" >/dev/null 2>&1 || die "terraform is not on PATH (set TERRAFORM=/path/to/terraform)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/spuff-demo.XXXXXX")"
SIM_PID=""
SIM_LOG="$TMP/spuff-sim.log"
CURRENT_STEP="setup"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	trap '' PIPE # writes to a closed pipe now fail instead of killing the cleanup
	# Best effort from here on: a failed write (closed pipe) must not skip the cleanup.
	set +e
	if [ "$rc" -ne 0 ]; then
		printf '\n%sdemo FAILED during: %s (exit %d)%s\n' "$RED" "$CURRENT_STEP" "$rc" "$RESET" >&2
		if [ -s "$SIM_LOG" ]; then
			echo "---- last 40 lines of the simulator log ----" >&2
			tail -n 40 "$SIM_LOG" >&2 || true
		fi
	fi
	if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
		echo "==> stopping spuff-sim (pid $SIM_PID)"
		kill "$SIM_PID" 2>/dev/null || true
		# Give it a moment for a graceful shutdown, then insist.
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	if [ "${DEMO_KEEP_TMP:-}" = "1" ]; then
		echo "==> keeping $TMP (DEMO_KEEP_TMP=1)"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# `make demo | head` closes the pipe early: clean up then too.
trap 'exit 141' PIPE

# step NAME CMD...: run a command under a section header; any failure aborts the demo.
step() {
	CURRENT_STEP="$1"
	shift
	section "$CURRENT_STEP"
	"$@"
}

# ---------------------------------------------------------------------------
section "Versions"
go version
TF_CLI_CONFIG_FILE=/dev/null "$TERRAFORM" version | head -n 1

CURRENT_STEP="build"
section "Building bin/terraform-provider-spuff and bin/spuff-sim"
mkdir -p "$BIN"
# build OUT PKG: one binary, with a line before (a cold build takes a minute or
# two on 2 cores, a warm one seconds) and its time after.
build() {
	local start=$SECONDS
	echo "    go build -o bin/$1 $2 ..."
	(cd "$ROOT" && go build -o "$BIN/$1" "$2")
	echo "    bin/$1 built in $((SECONDS - start))s ($(wc -c <"$BIN/$1" | tr -d ' ') bytes)"
}
echo "    (with an empty Go build cache the first build compiles the SDKs: 1-2 minutes)"
build terraform-provider-spuff .
build spuff-sim ./cmd/spuff-sim

# ---------------------------------------------------------------------------
CURRENT_STEP="start simulator"
section "Starting spuff-sim (server ready after $SERVER_READY_DELAY, snapshot ready after $IMAGE_READY_DELAY)"
URL_FILE="$TMP/sim-url"
"$BIN/spuff-sim" -addr 127.0.0.1:0 -url-file "$URL_FILE" \
	-server-ready-delay "$SERVER_READY_DELAY" -image-ready-delay "$IMAGE_READY_DELAY" \
	>"$SIM_LOG" 2>&1 &
SIM_PID=$!

# The simulator writes "http://127.0.0.1:PORT\n" once it is listening.
BASE=""
for _ in $(seq 1 150); do
	if [ -s "$URL_FILE" ] && [ "$(tail -c 1 "$URL_FILE" | od -An -c | tr -d ' ')" = '\n' ]; then
		BASE="$(head -n 1 "$URL_FILE" | tr -d '\r\n')"
		break
	fi
	kill -0 "$SIM_PID" 2>/dev/null || die "spuff-sim exited before it was ready"
	sleep 0.1
done
[ -n "$BASE" ] || die "spuff-sim did not write $URL_FILE within 15s"
case "$BASE" in
	http://127.0.0.1:*|http://localhost:*|http://\[::1\]:*) ;;
	*) die "unexpected simulator URL '$BASE'" ;;
esac
# spuff-sim prints one line per cloud: "  <Title> (<cloud>): <URL>".
ENDPOINT="$(sed -n "s/^  .* ($CLOUD): //p" "$SIM_LOG" | head -n 1)"
API="$(sed -n "s/^  \(.*\) ($CLOUD): .*/\1/p" "$SIM_LOG" | head -n 1)"
[ -n "$ENDPOINT" ] || die "spuff-sim printed no endpoint for $CLOUD"
echo "    spuff-sim pid $SIM_PID listening on $BASE ($API for cloud \"$CLOUD\" at $ENDPOINT)"

# ---------------------------------------------------------------------------
CURRENT_STEP="configure terraform"
section "Configuring Terraform (dev_overrides, no init) and the provider environment"
CLI_CONFIG="$TMP/terraformrc"
cat >"$CLI_CONFIG" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/spuff/spuff" = "$BIN"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$CLI_CONFIG"
export TF_IN_AUTOMATION=1
export TF_INPUT=0
export CHECKPOINT_DISABLE=1
unset TF_LOG TF_WORKSPACE TF_DATA_DIR
# Only the simulator: make sure no real credentials from the caller's shell are used.
unset HCLOUD_TOKEN HETZNER_TOKEN DIGITALOCEAN_TOKEN DIGITALOCEAN_ACCESS_TOKEN SPUFF_CLOUD
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_CA_BUNDLE
export SPUFF_ENDPOINT="$ENDPOINT"
export TF_VAR_cloud="$CLOUD"
# A token of the cloud's shape: Hetzner's are 64 characters, DigitalOcean's
# personal access tokens "dop_v1_" and 64 hex digits, AWS's static keys
# "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (the simulator checks no signature).
case "$CLOUD" in
	hetzner) SPUFF_TOKEN="$(printf 'demo%.0s' $(seq 1 16))" ;;
	digitalocean) SPUFF_TOKEN="dop_v1_$(printf 'de30%.0s' $(seq 1 16))" ;;
	aws) SPUFF_TOKEN="AKIASPUFFDEMO0000001:$(printf 'demo%.0s' $(seq 1 10))" ;;
esac
export SPUFF_TOKEN

WORK="$TMP/quickstart"
cp -R "$ROOT/examples/quickstart" "$WORK"
rm -rf "$WORK/.terraform" "$WORK"/terraform.tfstate* "$WORK/.terraform.lock.hcl"
# Terraform override file: poll faster than the 5s default, only for this demo
# copy. examples/quickstart itself is untouched.
cat >"$WORK/demo_override.tf" <<EOF
provider "spuff" {
  timeouts = {
    poll_interval = "$POLL_INTERVAL"
  }
}
EOF
echo "    TF_CLI_CONFIG_FILE=$CLI_CONFIG"
echo "    SPUFF_ENDPOINT=$SPUFF_ENDPOINT"
echo "    TF_VAR_cloud=$CLOUD"
echo "    SPUFF_TOKEN=<a simulated $CLOUD token>"
echo "    working directory: $WORK (copy of examples/quickstart + demo_override.tf)"

tf() { (cd "$WORK" && "$TERRAFORM" "$@"); }

# ---------------------------------------------------------------------------
# -compact-warnings folds the "Provider development overrides are in effect"
# warning into one line; errors are never hidden.
# Colours only on a terminal (`make demo | tee log` stays readable).
echo
echo "    next: terraform apply creates 1 instance and 1 snapshot; Terraform prints"
echo "    'Still creating...' every 10s while the simulator boots them ($SERVER_READY_DELAY + $IMAGE_READY_DELAY)"
step "terraform apply" tf apply -auto-approve -input=false -compact-warnings "${NO_COLOR[@]}"
step "terraform output" tf output "${NO_COLOR[@]}"
step "terraform state list" tf state list
# -detailed-exitcode: exit 2 (a failure here) if a second plan still wants changes.
step "terraform plan (expect no changes)" tf plan -input=false -compact-warnings -detailed-exitcode "${NO_COLOR[@]}"
step "terraform destroy" tf destroy -auto-approve -input=false -compact-warnings "${NO_COLOR[@]}"

CURRENT_STEP="verify destroy"
section "Checking that the state is empty"
left="$(tf state list)"
[ -z "$left" ] || die "resources left in state after destroy: $left"
echo "    state is empty"

section "Demo finished successfully"
