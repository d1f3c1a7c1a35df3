#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds the consumer project with
# find_package(mailverdict) and with pkg-config, and runs both.
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$prefix/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="${CXX:-c++}" >/dev/null
cmake --build "$prefix/consumer-build" >/dev/null
"$prefix/consumer-build/consumer" "$src/corpus/messages/partner-dkim-signed.eml" "$src/corpus/dns"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
${CXX:-c++} -o "$prefix/consumer-pc" "$src/tests/consumer/main.cpp" \
  $(pkg-config --cflags mailverdict) $(pkg-config --libs mailverdict)
"$prefix/consumer-pc" "$src/corpus/messages/partner-dkim-signed.eml" "$src/corpus/dns"
