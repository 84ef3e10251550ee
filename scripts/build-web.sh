#!/usr/bin/env bash
# Builds the playground into dist/ (see wasm-pack.toml for the settings it reads):
#   1. the bindings crate for wasm32-unknown-unknown with cargo,
#   2. wasm-bindgen --target web into the package dir (and wasm-opt when enabled),
#   3. checks the .wasm against the size budget,
#   4. compiles the TypeScript in web/ with tsc,
#   5. copies index.html and static/ next to them.
# Needs the tools `make setup` installs (wasm32 target, wasm-bindgen-cli, node_modules).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
config=wasm-pack.toml

# The value of `key = value` in wasm-pack.toml, without quotes; fails when missing.
setting() {
  local line
  line=$(grep -E "^[[:space:]]*$1[[:space:]]*=" "$config" | head -n 1) || {
    echo "build-web: $config has no '$1 = ...' line" >&2
    exit 1
  }
  printf '%s' "$line" | sed -E 's/^[^=]*=[[:space:]]*//; s/[[:space:]]+#.*$//; s/^"(.*)"$/\1/; s/[[:space:]]*$//'
}

package=$(setting package)
profile=$(setting profile)
target=$(setting target)
out_dir=$(setting out_dir)
out_name=$(setting out_name)
dist=$(setting dist_dir)
wasm_opt=$(setting wasm_opt)
wasm_opt_flags=$(setting wasm_opt_flags)
budget_kib=$(setting size_budget_kib)

step() { printf '==> %s\n' "$*"; }

# The CLI must be the exact version the crate links (Cargo.lock), or wasm-bindgen refuses.
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
if [ "$have" != "$want" ]; then
  echo "build-web: wasm-bindgen CLI ${have:-not found}, need $want (run: make setup)" >&2
  exit 1
fi

step "cargo build -p $package --profile $profile --target wasm32-unknown-unknown"
cargo build --profile "$profile" --target wasm32-unknown-unknown -p "$package"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
input="$target_dir/wasm32-unknown-unknown/$profile/${package//-/_}.wasm"

rm -rf "$dist"
mkdir -p "$out_dir"
step "wasm-bindgen --target $target --out-dir $out_dir"
wasm-bindgen --target "$target" --out-dir "$out_dir" --out-name "$out_name" "$input"
wasm="$out_dir/${out_name}_bg.wasm"

if [ "$wasm_opt" = "true" ]; then
  # npm's binaryen, installed by `npm ci`, unless one is on PATH already.
  PATH="$PATH:$(pwd)/node_modules/.bin"
  command -v wasm-opt >/dev/null || {
    echo "build-web: wasm_opt = true in $config but wasm-opt is not on PATH" >&2
    exit 1
  }
  step "wasm-opt $wasm_opt_flags"
  # shellcheck disable=SC2086 # the flags are a list
  wasm-opt $wasm_opt_flags -o "$wasm.opt" "$wasm"
  mv "$wasm.opt" "$wasm"
fi

bytes=$(wc -c <"$wasm")
kib=$(((bytes + 1023) / 1024))
if [ "$kib" -gt "$budget_kib" ]; then
  echo "build-web: $wasm is $kib KiB, over the budget of $budget_kib KiB (size_budget_kib in $config)" >&2
  exit 1
fi
step "size: $wasm is $kib KiB (budget $budget_kib KiB)"

step "tsc -p web"
node_modules/.bin/tsc -p web --outDir "$dist"

cp index.html "$dist/"
cp -R static "$dist/"
step "built $dist/ (serve it with: make serve)"
