#!/usr/bin/env bash
# Builds the npm package and the playground into dist/ (see wasm-pack.toml for the settings
# it reads):
#   1. the bindings crate for wasm32-unknown-unknown with cargo,
#   2. wasm-bindgen --target web into the package's pkg/ (and wasm-opt when enabled),
#   3. checks the .wasm against the size budgets (raw, and gzipped: the package's 250 KB),
#      and 1-3 again for the object loader's module (crates/wasm-object, loaded on demand),
#   4. compiles the package's TypeScript (packages/unwind-bpf) into the package folder, adds
#      its package.json, README and licences, and packs it with `npm pack`,
#   5. type-checks the page's TypeScript in web/ and bundles it with esbuild (it imports the
#      package as `unwind-bpf`, left out of the bundle),
#   6. bundles the <unwind-playground> element (web/element.ts) into unwind-playground.js,
#   7. copies index.html and static/ next to them.
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
package_src=$(setting package_src)
package_dir=$(setting package_dir)
out_dir="$package_dir/pkg"
out_name=$(setting out_name)
dist=$(setting dist_dir)
wasm_opt=$(setting wasm_opt)
wasm_opt_flags=$(setting wasm_opt_flags)
budget_kib=$(setting size_budget_kib)
gzip_budget_kb=$(setting gzip_budget_kb)

step() { printf '==> %s\n' "$*"; }

# The CLI must be the exact version the crate links (Cargo.lock), or wasm-bindgen refuses.
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
if [ "$have" != "$want" ]; then
  echo "build-web: wasm-bindgen CLI ${have:-not found}, need $want (run: make setup)" >&2
  exit 1
fi

rm -rf "$dist"
mkdir -p "$out_dir"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')

# Builds the bindings crate $1 into $out_dir/$2_bg.wasm (wasm-bindgen, then wasm-opt when
# enabled) and checks it against $3 KiB raw and $4 KB gzipped.
build_module() {
  local crate_package=$1 name=$2 raw_budget=$3 gzip_budget=$4
  step "cargo build -p $crate_package --profile $profile --target wasm32-unknown-unknown"
  cargo build --profile "$profile" --target wasm32-unknown-unknown -p "$crate_package"
  local input="$target_dir/wasm32-unknown-unknown/$profile/${crate_package//-/_}.wasm"
  step "wasm-bindgen --target $target --out-dir $out_dir ($name)"
  wasm-bindgen --target "$target" --out-dir "$out_dir" --out-name "$name" "$input"
  local wasm="$out_dir/${name}_bg.wasm"
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
  local bytes kib gzipped brotli
  bytes=$(wc -c <"$wasm")
  kib=$(((bytes + 1023) / 1024))
  if [ "$kib" -gt "$raw_budget" ]; then
    echo "build-web: $wasm is $kib KiB, over the budget of $raw_budget KiB (wasm-pack.toml)" >&2
    exit 1
  fi
  gzipped=$(gzip -9 -c "$wasm" | wc -c)
  brotli=$(node -e 'const z = require("zlib"); const q = z.constants.BROTLI_PARAM_QUALITY;
    console.log(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]), { params: { [q]: 11 } }).length)' "$wasm")
  if [ "$gzipped" -gt $((gzip_budget * 1000)) ]; then
    echo "build-web: $wasm is $gzipped bytes gzipped (gzip -9), over the budget of $gzip_budget KB (wasm-pack.toml)" >&2
    exit 1
  fi
  step "size: $wasm is $bytes bytes ($kib KiB, budget $raw_budget KiB); gzip -9 $gzipped bytes (budget $gzip_budget KB); brotli $brotli bytes"
}

build_module "$package" "$out_name" "$budget_kib" "$gzip_budget_kb"
build_module "$(setting object_package)" "$(setting object_out_name)" \
  "$(setting object_size_budget_kib)" "$(setting object_gzip_budget_kb)"

step "tsc -p $package_src --outDir $package_dir"
node_modules/.bin/tsc -p "$package_src" --outDir "$package_dir"
cp "$package_src/package.json" "$package_src/README.md" "$package_src"/LICENSE-* "$package_dir/"
# The package's version is the crates' version.
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
package_version=$(node -p "require('./$package_src/package.json').version")
if [ "$crate_version" != "$package_version" ]; then
  echo "build-web: $package_src/package.json has version $package_version, the crates $crate_version" >&2
  exit 1
fi
step "npm pack $package_dir"
(cd "$(dirname "$package_dir")" && npm pack --silent "./$(basename "$package_dir")" >/dev/null)
ls "$(dirname "$package_dir")"/*.tgz

# The page: type-checked by tsc, bundled by esbuild (CodeMirror and the page's modules in one
# file; the package stays a module of its own, found through index.html's import map).
step "tsc -p web --noEmit"
node_modules/.bin/tsc -p web --noEmit
step "esbuild web/main.ts --bundle"
node_modules/.bin/esbuild web/main.ts --bundle --format=esm --target=es2022 --minify \
  --sourcemap --external:unwind-bpf --legal-comments=linked --log-level=warning \
  --outfile="$dist/main.js"
# The <unwind-playground> element for docs pages (web/element.ts): one classic script, no
# imports, so that a docs page on another origin can load it without CORS.
step "esbuild web/element.ts --bundle (unwind-playground.js)"
node_modules/.bin/esbuild web/element.ts --bundle --format=iife --target=es2022 --minify \
  --sourcemap --log-level=warning --outfile="$dist/unwind-playground.js"

cp index.html "$dist/"
cp -R static "$dist/"
step "built $dist/ (serve it with: make serve)"
