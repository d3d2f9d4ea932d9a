#!/usr/bin/env bash
# Builds the pinned Kubernetes tool binaries kplane's tests run against and
# puts them into <repo>/.tools/bin:
#
#   kube-apiserver, kubectl,
#   kube-controller-manager  (k8s.io/kubernetes)
#   etcd                     (go.etcd.io/etcd/server/v3)
#   clusterctl               (sigs.k8s.io/cluster-api)
#   helm                     (helm.sh/helm/v4)
#   capi-core, capi-kubeadm-bootstrap, capi-kubeadm-control-plane, capd
#                            (the Cluster API managers, sigs.k8s.io/cluster-api{,/test})
#
# Everything is built from source with the local Go toolchain, fetching
# modules through the Go module proxy. Results are cached per machine in
# ${KPLANE_TOOLS_CACHE:-$HOME/.cache/kplane-tools}, so a second run (also from
# a fresh clone) only re-links the cached binaries and takes seconds.
#
# Usage: bash scripts/tools.sh        (or: npm run tools)
# Env:   KPLANE_TOOLS_CACHE   cache root (default ~/.cache/kplane-tools)
#        KPLANE_TOOLS_REBUILD=1  ignore cached binaries and rebuild
#
# See scripts/TOOLS.md for details.
set -Eeuo pipefail

# ---------------------------------------------------------------- pins -----
# Kubernetes: kplane emulates the v1.34 API. Latest v1.34 patch that the module
# proxy serves *and* the checksum database verifies (v1.34.11/.12 are on the
# proxy but have no checksum-database entry, so `go` refuses them).
KUBE_VERSION=v1.34.10
# etcd: kube v1.34 is built and tested against the etcd v3.6 line (its go.mod
# requires go.etcd.io/etcd/*/v3 v3.6.x); latest v3.6 patch on the proxy.
ETCD_VERSION=v3.6.16
# Cluster API: newest release whose supported management cluster range
# includes Kubernetes v1.34 (v1.14.x: management clusters v1.33 - v1.37).
CAPI_VERSION=v1.14.2
# Helm: newest v4 release on the module proxy (Helm 4 applies server-side by
# default). Its client-go is its own (v0.37.x); it talks to any v1.34 server.
HELM_VERSION=v4.3.2

# Bump this when the build recipe below changes, to invalidate caches.
RECIPE=1

# ------------------------------------------------------------- set-up ------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
BIN_DIR="$REPO_ROOT/.tools/bin"
CACHE_ROOT="${KPLANE_TOOLS_CACHE:-${HOME:-/tmp}/.cache/kplane-tools}"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }
# Report the failing command once (command substitutions inherit the trap).
trap 'rc=$?; [[ $BASH_SUBSHELL == 0 ]] && die "failed at line $LINENO (exit $rc): $BASH_COMMAND"; exit $rc' ERR

command -v go >/dev/null 2>&1 || die "Go is required (go1.26+; an older go >= 1.21 fetches go1.26 from the module proxy by itself); install it and re-run"
GO_VERSION="$(go env GOVERSION)"

mkdir -p "$CACHE_ROOT" "$BIN_DIR"
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"

# Only one build at a time per machine (parallel test workers may all ask).
exec 9>"$CACHE_ROOT/.lock"
if ! flock -n 9; then
  log "another tools build holds $CACHE_ROOT/.lock; waiting"
  flock 9
fi

export GOMODCACHE="$CACHE_ROOT/gomod"
export GOCACHE="$CACHE_ROOT/gocache"
export GOPATH="$CACHE_ROOT/gopath"
export CGO_ENABLED=0
export GOFLAGS="-buildvcs=false"
export GOWORK=off
export GO111MODULE=on
GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"
export GOOS GOARCH

now() { date +%s; }

# info_field <module> <version> <jq-ish key>: read a field (Time / Hash) from the
# proxy's .info file for an already-downloaded module version. Empty if absent.
info_field() {
  local mod="$1" ver="$2" key="$3" f
  f="$(go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Info": "\(.*\)",*$/\1/p')"
  [[ -n "$f" && -f "$f" ]] || return 0
  tr -d '\n' <"$f" | sed -n "s/.*\"$key\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p"
}

# --------------------------------------------------------- build steps -----
# Each builder writes binaries into $OUT (a fresh dir) and runs in $WORK
# (a fresh wrapper-module dir).

# write_wrapper <module-path> <go-directive>: start a wrapper go.mod in $WORK.
write_wrapper() {
  printf 'module %s\n\ngo %s\n' "$1" "$2" >"$WORK/go.mod"
}

# kube_wrapper <cmd...>: the wrapper module for k8s.io/kubernetes commands
# (cmd/<name> for each argument) in $WORK, resolved with `go mod tidy`.
kube_wrapper() {
  write_wrapper kplane.invalid/tools/kubernetes 1.24
  # k8s.io/kubernetes' go.mod requires its staging modules at v0.0.0 and
  # replaces them with ./staging paths, which only work inside its repo.
  # Map each required staging module to its published v0.<minor>.<patch>.
  local kmod staging_ver="v0${KUBE_VERSION#v1}"
  local dl
  dl="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" || true)"
  kmod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' <<<"$dl")"
  [[ -z "$(sed -n 's/^[[:space:]]*"Error": "\(.*\)",*$/\1/p' <<<"$dl")" && -f "$kmod" ]] \
    || die "could not fetch k8s.io/kubernetes@$KUBE_VERSION: $dl"
  local staging
  staging="$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$kmod" | sort -u)"
  [[ -n "$staging" ]] || die "no staging replaces found in k8s.io/kubernetes@$KUBE_VERSION go.mod"
  {
    printf '\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$KUBE_VERSION"
    local m
    for m in $staging; do
      # only modules k8s.io/kubernetes actually requires (some samples are unpublished)
      if grep -Eq "^[[:space:]]*$m v0\.0\.0([[:space:]]|$)" "$kmod"; then
        printf '\t%s => %s %s\n' "$m" "$m" "$staging_ver"
      fi
    done
    printf ')\n\ntool (\n'
    for m in "$@"; do printf '\tk8s.io/kubernetes/cmd/%s\n' "$m"; done
    printf ')\n'
  } >>"$WORK/go.mod"
  (cd "$WORK" && go mod tidy)
}

# kube_build <cmd...>: build k8s.io/kubernetes/cmd/<cmd> into $OUT with the
# version variables set (after kube_wrapper).
kube_build() {
  local commit date minor
  commit="$(info_field k8s.io/kubernetes "$KUBE_VERSION" Hash)"
  date="$(info_field k8s.io/kubernetes "$KUBE_VERSION" Time)"
  minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitVersion=$KUBE_VERSION"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=${date:-1970-01-01T00:00:00Z}"
    [[ -n "$commit" ]] && ld+=" -X $p.gitCommit=$commit"
  done
  local pkgs=() c
  for c in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/" "${pkgs[@]}")
}

build_kubernetes() {
  kube_wrapper kube-apiserver kubectl
  kube_build kube-apiserver kubectl
}

# Cached separately from kube-apiserver + kubectl, so adding it did not
# invalidate their cache (it shares the Go build cache with them).
build_kube_controller_manager() {
  kube_wrapper kube-controller-manager
  kube_build kube-controller-manager
}

build_etcd() {
  write_wrapper kplane.invalid/tools/etcd 1.24
  # The etcd server module replaces its sibling modules with ../ paths.
  local m
  {
    printf '\nrequire go.etcd.io/etcd/server/v3 %s\n\nreplace (\n' "$ETCD_VERSION"
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do
      printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$ETCD_VERSION"
    done
    printf ')\n\ntool go.etcd.io/etcd/server/v3\n'
  } >>"$WORK/go.mod"
  (cd "$WORK" && go mod tidy)
  local commit ld="-s -w"
  commit="$(info_field go.etcd.io/etcd/server/v3 "$ETCD_VERSION" Hash)"
  [[ -n "$commit" ]] && ld+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=${commit:0:9}"
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/etcd" go.etcd.io/etcd/server/v3)
}

# capi_ldflags: the -X flags for sigs.k8s.io/cluster-api/version (clusterctl
# and the managers report the same version).
capi_ldflags() {
  local commit date major minor p=sigs.k8s.io/cluster-api/version
  commit="$(info_field sigs.k8s.io/cluster-api "$CAPI_VERSION" Hash)"
  date="$(info_field sigs.k8s.io/cluster-api "$CAPI_VERSION" Time)"
  major="${CAPI_VERSION#v}"; major="${major%%.*}"
  minor="${CAPI_VERSION#v*.}"; minor="${minor%%.*}"
  local ld="-s -w -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitVersion=$CAPI_VERSION"
  ld+=" -X $p.gitTreeState=clean -X $p.buildDate=${date:-1970-01-01T00:00:00Z}"
  [[ -n "$commit" ]] && ld+=" -X $p.gitCommit=$commit"
  printf '%s' "$ld"
}

build_clusterctl() {
  write_wrapper kplane.invalid/tools/clusterctl 1.24
  # cluster-api replaces its API module with ./api.
  {
    printf '\nrequire sigs.k8s.io/cluster-api %s\n\n' "$CAPI_VERSION"
    printf 'replace sigs.k8s.io/cluster-api/api => sigs.k8s.io/cluster-api/api %s\n\n' "$CAPI_VERSION"
    printf 'tool sigs.k8s.io/cluster-api/cmd/clusterctl\n'
  } >>"$WORK/go.mod"
  (cd "$WORK" && go mod tidy)
  local ld; ld="$(capi_ldflags)"
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/clusterctl" sigs.k8s.io/cluster-api/cmd/clusterctl)
}

# The Cluster API managers the harness runs out of cluster (test/harness/
# capi.ts): core, kubeadm bootstrap, kubeadm control plane and CAPD (the
# Docker provider, whose in-memory backend needs no Docker). CAPD lives in
# the separate sigs.k8s.io/cluster-api/test module.
build_capi_managers() {
  write_wrapper kplane.invalid/tools/capi 1.24
  {
    printf '\nrequire (\n\tsigs.k8s.io/cluster-api %s\n\tsigs.k8s.io/cluster-api/test %s\n)\n\n' "$CAPI_VERSION" "$CAPI_VERSION"
    printf 'replace sigs.k8s.io/cluster-api/api => sigs.k8s.io/cluster-api/api %s\n\n' "$CAPI_VERSION"
    printf 'tool (\n'
    printf '\tsigs.k8s.io/cluster-api/%s\n' core bootstrap/kubeadm controlplane/kubeadm test/infrastructure/docker
    printf ')\n'
  } >>"$WORK/go.mod"
  (cd "$WORK" && go mod tidy)
  local ld; ld="$(capi_ldflags)"
  local m=sigs.k8s.io/cluster-api
  # One package per go build: two of them are called kubeadm.
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/capi-core" "$m/core")
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/capi-kubeadm-bootstrap" "$m/bootstrap/kubeadm")
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/capi-kubeadm-control-plane" "$m/controlplane/kubeadm")
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/capd" "$m/test/infrastructure/docker")
}

build_helm() {
  write_wrapper kplane.invalid/tools/helm 1.24
  {
    printf '\nrequire helm.sh/helm/v4 %s\n\n' "$HELM_VERSION"
    printf 'tool helm.sh/helm/v4/cmd/helm\n'
  } >>"$WORK/go.mod"
  (cd "$WORK" && go mod tidy)
  # As helm's Makefile sets them for a tagged release (metadata empty).
  local commit p=helm.sh/helm/v4/internal/version
  commit="$(info_field helm.sh/helm/v4 "$HELM_VERSION" Hash)"
  local ld="-s -w -X $p.version=$HELM_VERSION -X $p.metadata= -X $p.gitTreeState=clean"
  [[ -n "$commit" ]] && ld+=" -X $p.gitCommit=$commit"
  (cd "$WORK" && go build -trimpath -ldflags "$ld" -o "$OUT/helm" helm.sh/helm/v4/cmd/helm)
}

# ensure <name> <version> <builder> <binaries...>: build into the machine cache
# unless already there, then link the binaries into .tools/bin.
ensure() {
  local name="$1" version="$2" builder="$3"; shift 3
  local key="$name-$version"
  local dest="$CACHE_ROOT/bin/$key"
  # A Go upgrade alone does not invalidate cached binaries.
  local stamp="recipe=$RECIPE os=$GOOS arch=$GOARCH"
  local ok=1 b
  if [[ "${KPLANE_TOOLS_REBUILD:-}" == 1 || ! -f "$dest/.stamp" || "$(cat "$dest/.stamp")" != "$stamp" ]]; then
    ok=0
  else
    for b in "$@"; do [[ -x "$dest/$b" ]] || ok=0; done
  fi
  if [[ $ok == 0 ]]; then
    log "building $name $version ($*) with $GO_VERSION; this can take a while on first run"
    local t0; t0="$(now)"
    WORK="$CACHE_ROOT/build/$key"
    OUT="$CACHE_ROOT/bin/.tmp-$key-$$"
    rm -rf "$WORK" "$OUT"
    mkdir -p "$WORK" "$OUT"
    "$builder"
    for b in "$@"; do [[ -x "$OUT/$b" ]] || die "$builder did not produce $b"; done
    printf '%s\n' "$GO_VERSION" >"$OUT/.go-version"
    printf '%s\n' "$stamp" >"$OUT/.stamp"
    rm -rf "$dest"
    mv "$OUT" "$dest"
    log "built $name $version in $(( $(now) - t0 ))s"
  else
    log "$name $version: cached in $dest"
  fi
  BUILT_WITH+="$name=$(cat "$dest/.go-version" 2>/dev/null || echo unknown) "
  for b in "$@"; do
    # hard link when possible (same filesystem), copy otherwise; atomic rename.
    if [[ ! "$BIN_DIR/$b" -ef "$dest/$b" ]]; then
      ln -f "$dest/$b" "$BIN_DIR/.$b.tmp" 2>/dev/null || cp -f "$dest/$b" "$BIN_DIR/.$b.tmp"
      mv -f "$BIN_DIR/.$b.tmp" "$BIN_DIR/$b"
    fi
  done
}

T_START="$(now)"
BUILT_WITH=""
log "cache: $CACHE_ROOT"
ensure etcd "$ETCD_VERSION" build_etcd etcd
ensure clusterctl "$CAPI_VERSION" build_clusterctl clusterctl
ensure kubernetes "$KUBE_VERSION" build_kubernetes kube-apiserver kubectl
ensure kube-controller-manager "$KUBE_VERSION" build_kube_controller_manager kube-controller-manager
ensure helm "$HELM_VERSION" build_helm helm
ensure capi-managers "$CAPI_VERSION" build_capi_managers capi-core capi-kubeadm-bootstrap capi-kubeadm-control-plane capd

cat >"$BIN_DIR/VERSIONS.tmp" <<EOF
# Written by scripts/tools.sh; KEY=VALUE.
kube-apiserver=$KUBE_VERSION
kubectl=$KUBE_VERSION
kube-controller-manager=$KUBE_VERSION
etcd=$ETCD_VERSION
clusterctl=$CAPI_VERSION
capi-core=$CAPI_VERSION
capi-kubeadm-bootstrap=$CAPI_VERSION
capi-kubeadm-control-plane=$CAPI_VERSION
capd=$CAPI_VERSION
helm=$HELM_VERSION
# built with: ${BUILT_WITH% }
EOF
mv -f "$BIN_DIR/VERSIONS.tmp" "$BIN_DIR/VERSIONS"

# Smoke-check that the binaries run and report the pinned versions. The output
# is captured before matching: `cmd | grep -q` under pipefail fails at random
# when grep exits first and the writer dies of SIGPIPE.
reports() { # reports WANT CMD... — CMD's output mentions WANT
  local want="$1" out; shift
  out="$("$@" 2>/dev/null)" || true
  [[ "$out" == *"$want"* ]]
}
reports "$KUBE_VERSION" "$BIN_DIR/kubectl" version --client \
  || die "kubectl does not report $KUBE_VERSION"
reports "$KUBE_VERSION" "$BIN_DIR/kube-apiserver" --version \
  || die "kube-apiserver does not report $KUBE_VERSION"
reports "$KUBE_VERSION" "$BIN_DIR/kube-controller-manager" --version \
  || die "kube-controller-manager does not report $KUBE_VERSION"
reports "${ETCD_VERSION#v}" "$BIN_DIR/etcd" --version \
  || die "etcd does not report $ETCD_VERSION"
CLUSTERCTL_DISABLE_VERSIONCHECK=true reports "$CAPI_VERSION" "$BIN_DIR/clusterctl" version -o short \
  || die "clusterctl does not report $CAPI_VERSION"
HELM_CACHE_HOME=/nonexistent HELM_CONFIG_HOME=/nonexistent HELM_DATA_HOME=/nonexistent \
  reports "$HELM_VERSION" "$BIN_DIR/helm" version --short \
  || die "helm does not report $HELM_VERSION"
# The Cluster API managers have no --version flag; their --help must exit 0.
for b in capi-core capi-kubeadm-bootstrap capi-kubeadm-control-plane capd; do
  "$BIN_DIR/$b" --help >/dev/null 2>&1 || die "$b --help fails"
done

log "tools ready in $BIN_DIR ($(( $(now) - T_START ))s):"
sed 's/^# //; s/^/[tools]   /' "$BIN_DIR/VERSIONS" | tail -n +2 >&2
