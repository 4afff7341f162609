#!/usr/bin/env bash
# Runs MetadataEngineLoad for SQLite and H2 alternately, each configuration in its own JVM with the
# same heap, and appends every RESULT line (with the machine's load before each run) to a log.
# Usage, from the repository root after `mvn -pl benchmarks -am package -DskipTests`:
#   benchmarks/metadata-engines.sh [rounds=2] [seconds=30] [rows=1000000]
set -euo pipefail
ROUNDS=${1:-2}
SECONDS_MEASURED=${2:-30}
ROWS=${3:-1000000}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=benchmarks/target/benchmarks.jar
DIR=benchmarks/target/engines            # on the real disk: /tmp may be tmpfs elsewhere
LOG=benchmarks/target/metadata-engines-$(date -u +%Y%m%dT%H%M%SZ).log
mkdir -p "$DIR"
run() {
  echo "# $(date -u +%H:%M:%S) load:$(uptime | sed 's/.*load average://') :: $*" | tee -a "$LOG"
  "$JAVA" -Xmx512m -Xms512m --enable-native-access=ALL-UNNAMED -cp "$JAR" \
    org.carbonio.benchmarks.MetadataEngineLoad --dir "$DIR" "$@" 2>&1 | grep '^RESULT' | tee -a "$LOG"
}
{ "$JAVA" -version 2>&1 | head -1; nproc; findmnt -T "$DIR" -o TARGET,SOURCE,FSTYPE -n; } | sed 's/^/# /' | tee -a "$LOG"
for round in $(seq "$ROUNDS"); do
  for strategy in serial group; do
    for engine in sqlite h2; do
      run --engine "$engine" --mode deliveries --strategy "$strategy" --seconds "$SECONDS_MEASURED"
    done
  done
  run --engine h2 --mode deliveries --strategy mvcc --seconds "$SECONDS_MEASURED"
  run --engine h2 --mode deliveries --strategy mvcc_shared_sync --seconds "$SECONDS_MEASURED"
done
for round in $(seq "$ROUNDS"); do
  for engine in sqlite h2; do
    run --engine "$engine" --mode mailbox --rows "$ROWS" --repeats 11
  done
done
echo "# log: $LOG"
