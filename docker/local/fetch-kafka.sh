#!/usr/bin/env bash
# Puts Apache Kafka's runtime jars in the cache once (Maven Central). Prints the libs folder.
here=$(cd "$(dirname "$0")" && pwd); . "$here/common.sh"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
dir="$BOOKSHELF_CACHE/kafka-$KAFKA_VERSION"
fetch() {
  if [ -f "$dir/.complete" ]; then echo "$dir/libs"; return; fi
  need java "install OpenJDK 17 or newer"
  need mvn "install Apache Maven 3.8 or newer"
  mkdir -p "$dir"
  say "downloading Kafka $KAFKA_VERSION jars from Maven Central (first time only: ~90 jars, under a minute)"
  local start=$SECONDS
  rm -rf "$dir/libs"
  # Maven writes to stdout, with colour resets even with -q and style.color=never: all of it goes to stderr,
  # stripped of escape codes, and stdout keeps the result line alone.
  maven() {
    mvn -B -q -Dstyle.color=never -f "$here/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/libs" 2>&1 \
      | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' >&2
  }
  ticking "downloading Kafka jars" maven || die "maven could not resolve Kafka $KAFKA_VERSION (see output above)"
  touch "$dir/.complete"
  say "kafka jars ready in $((SECONDS-start))s: $(ls "$dir/libs" | wc -l) jars"
  echo "$dir/libs"
}
with_lock kafka-fetch fetch
