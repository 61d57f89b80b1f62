#!/usr/bin/env sh
# Keeps one platform's native libraries in the ONNX Runtime jars of a libs directory, so the image
# carries ~23 MB of natives instead of ~150 MB for five platforms. With NATIVE_DIR the platform's
# natives are moved out of the jars into that directory instead, unpacked: a node started with
# -Donnxruntime.native.path=NATIVE_DIR loads them from there, where ONNX Runtime would otherwise
# inflate 23 MB from its jar into java.io.tmpdir on every start (about 150 ms of one CPU).
#   deploy/keep-ort-platform.sh LIBS_DIR PLATFORM [NATIVE_DIR]   PLATFORM: linux-x64 or linux-aarch64
# Uses only the JDK's jar tool ($JAVA_HOME/bin/jar, else jar on PATH).
set -eu
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 LIBS_DIR linux-x64|linux-aarch64 [NATIVE_DIR]" >&2; exit 2; }
[ -d "$1" ] || { echo "$0: no directory $1" >&2; exit 1; }
libs=$(cd "$1" && pwd)   # absolute: the jar tool runs from a scratch directory
platform=$2
native=""
if [ $# -eq 3 ]; then
  mkdir -p "$3"
  native=$(cd "$3" && pwd)
fi
case "$platform" in
  linux-x64|linux-aarch64) ;;
  *) echo "$0: platform must be linux-x64 or linux-aarch64, got '$platform'" >&2; exit 2 ;;
esac
jar_tool=${JAVA_HOME:+$JAVA_HOME/bin/}jar
found=0
work=
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
for jar in "$libs"/onnxruntime*.jar; do
  [ -f "$jar" ] || continue
  found=1
  work=$(mktemp -d)
  (cd "$work" && "$jar_tool" xf "$jar")
  if [ ! -d "$work/ai/onnxruntime/native/$platform" ]; then
    echo "$0: $jar has no natives for $platform" >&2
    exit 1
  fi
  for dir in "$work"/ai/onnxruntime/native/*/; do
    [ "$(basename "$dir")" = "$platform" ] || rm -rf "$dir"
  done
  if [ -n "$native" ]; then
    # one directory for every ONNX Runtime jar's libraries (the CUDA build's providers with the core)
    for lib in "$work/ai/onnxruntime/native/$platform"/*; do
      [ -f "$lib" ] || continue
      [ ! -e "$native/$(basename "$lib")" ] \
        || { echo "$0: $native already holds $(basename "$lib") (two jars carry it, or an earlier run left it)" >&2; exit 1; }
      mv "$lib" "$native/"
    done
    rm -rf "$work/ai/onnxruntime/native/$platform"
  fi
  # --no-manifest: the extracted META-INF/MANIFEST.MF goes back in as it was
  "$jar_tool" --create --no-manifest --file "$jar.tmp" -C "$work" .
  mv "$jar.tmp" "$jar"
  rm -rf "$work"
  work=
done
[ "$found" = 1 ] || { echo "$0: no onnxruntime jar in $libs" >&2; exit 1; }
