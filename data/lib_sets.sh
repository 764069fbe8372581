# Sourced by the dataset scripts (build_*_sets.sh). Expects $here (data/), $cache, $sets and $update set.

# fetch_packages PKG...: downloads and unpacks each Debian package into $cache/root/PKG once.
fetch_packages() {
  mkdir -p "$cache/debs" "$cache/root"
  chmod 777 "$cache/debs"  # apt-get download drops privileges to _apt
  local p
  for p in "$@"; do
    if [ ! -d "$cache/root/$p" ]; then
      (cd "$cache/debs" && apt-get download "$p" >/dev/null)
      dpkg -x "$cache"/debs/"${p}"_*.deb "$cache/root/$p"
    fi
  done
}

# finish_set SET MANIFEST PKG...: copies the packages' copyright files into the set, stores the manifest in it,
# and checks it against data/manifests/SET.tsv (or writes that with --update-manifest, or when it is missing).
# Returns 1 when they differ.
finish_set() {
  local set=$1 manifest=$2 p
  shift 2
  mkdir -p "$sets/$set/LICENSES"
  for p in "$@"; do cp "$cache/root/$p/usr/share/doc/$p/copyright" "$sets/$set/LICENSES/$p.copyright"; done
  cp "$manifest" "$sets/$set/manifest.tsv"
  if [ "$update" = 1 ] || [ ! -f "$here/manifests/$set.tsv" ]; then
    cp "$manifest" "$here/manifests/$set.tsv"
    echo "datasets: wrote data/manifests/$set.tsv ($(($(wc -l <"$manifest") - 1)) files)"
  elif ! diff -q "$here/manifests/$set.tsv" "$manifest" >/dev/null; then
    echo "datasets: $set differs from data/manifests/$set.tsv:" >&2
    diff "$here/manifests/$set.tsv" "$manifest" | head -20 >&2
    echo "(a different ffmpeg, OpenCV or package version?) Check, then rerun with --update-manifest to accept." >&2
    return 1
  else
    echo "datasets: $set matches its manifest ($(($(wc -l <"$manifest") - 1)) files)"
  fi
}

# build_sets KIND HEADER: builds KIND-eval with the script's build_eval and KIND-train with its build_train
# (both append rows to $manifest, which starts with the tab-separated HEADER), then checks each with
# finish_set against EVAL_PACKAGES / TRAIN_PACKAGES. Returns 1 if a set differs from its manifest.
build_sets() {
  local kind=$1 header=$2 status=0 part
  for part in eval train; do
    manifest=$(mktemp)
    printf '%s\n' "$header" >"$manifest"
    echo "datasets: building $kind-$part"
    if [ "$part" = eval ]; then build_eval; else build_train; fi
    if [ "$part" = eval ]; then pkgs=("${EVAL_PACKAGES[@]}"); else pkgs=("${TRAIN_PACKAGES[@]}"); fi
    finish_set "$kind-$part" "$manifest" "${pkgs[@]}" || status=1
    rm -f "$manifest"
  done
  return $status
}
