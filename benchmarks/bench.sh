#!/usr/bin/env bash
# Runs Baton's JMH suite (what `./baton bench` does) and writes everything a reader needs:
#   benchmarks/results/<profile>/*.json   JMH JSON, one file per benchmark run
#   benchmarks/results/<profile>/*.log    JMH's console output of that run
#   benchmarks/results/<profile>/run.properties  date, command, machine, JDK, wall time
#   benchmarks/failover-latency.png       FailoverChart of the failover distribution
#   benchmarks/RESULTS.md                 the figures part, rewritten by ResultsReport
#
# Usage: ./baton bench [--full] [--only REGEX] [JMH args...]
#   (default)      the quick profile: every benchmark but SteadyLoad, small iteration counts,
#                  about 45 min on 2 cores (20 kills per failover profile and mode)
#   --full         the publication profile: many more kills, transfers and iterations (about 2.5 h),
#                  and SteadyLoadBenchmark (10 min of steady writes per profile, about 25 min)
#   --only REGEX   run only the benchmark classes whose name matches REGEX (e.g. 'Failover|Write');
#                  the chart and RESULTS.md are then left alone. SteadyLoad runs in the quick
#                  profile only when named here (--only SteadyLoad; shorter: -p durationSeconds=20)
#   JMH args       appended to every JMH run, e.g. -prof jfr, or -jvmArgsAppend -Dx=y
# BENCH_CAVEAT, if set, replaces the caveat printed with the figures (e.g. "quiet machine").
# Builds benchmarks/target/benchmarks.jar first if it is missing or older than the module's sources
# or the Baton jars it packs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"

profile=quick
only=""
jmh_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) profile=full; shift ;;
    --quick) profile=quick; shift ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) jmh_args+=("$1"); shift ;;
  esac
done

stale() {
  [ -f "$jar" ] || return 0
  [ -n "$(find "$root/benchmarks/src" "$root/benchmarks/pom.xml" "$root/pom.xml" \
      "$HOME/.m2/repository/io/baton" -newer "$jar" -type f \( -name '*.java' -o -name '*.xml' \
      -o -name '*.properties' -o -name 'baton-*.jar' \) -print -quit 2>/dev/null)" ]
}

if stale; then
  echo "bench: building $jar ..." >&2
  if [ -f "$HOME/.m2/repository/io/baton/baton-core/0.1.0-SNAPSHOT/baton-core-0.1.0-SNAPSHOT.jar" ]; then
    (cd "$root" && ./mvnw -B -q -Dstyle.color=never -DskipTests -pl benchmarks package) >&2
  else
    # A fresh clone: build the modules the benchmarks need in the same reactor.
    (cd "$root" && ./mvnw -B -q -Dstyle.color=never -DskipTests -pl benchmarks -am package) >&2
  fi
fi

out="$root/benchmarks/results/$profile"
mkdir -p "$out"

# Per benchmark class: the JMH options of each profile. A class with several lines is run once per
# line (each its own JSON file), e.g. WAN failovers take seconds each, so fewer are sampled.
# A fourth field "named" runs the line only when --only names its class: SteadyLoadBenchmark holds
# its load for 10 minutes per failure-detection profile, more than the quick profile (and CI) has.
# FailoverBenchmark runs each profile twice: nodes in one JVM, and three node JVMs (mode=process,
# a JVM start per kill, outside the timing), and the node JVMs once more under a light load
# (100 writes/s); ResultsReport and FailoverChart show them all.
runs() {
  if [ "$profile" = quick ]; then
    cat <<'EOF'
StoreApplyBenchmark|StoreApplyBenchmark|-wi 1 -w 1s -i 2 -r 1s
FailoverBenchmark|FailoverBenchmark-fast-default|-p profile=FAST,DEFAULT -p mode=inProcess,process -wi 1 -i 20
FailoverBenchmark|FailoverBenchmark-light|-p profile=FAST,DEFAULT -p mode=process -p writesPerSecond=100 -wi 1 -i 20
FailoverBenchmark|FailoverBenchmark-wan|-p profile=WAN -p mode=inProcess,process -wi 1 -i 3
SwitchoverBenchmark|SwitchoverBenchmark|-wi 2 -i 20
SteadyLoadBenchmark|SteadyLoadBenchmark|-p profile=FAST,DEFAULT|named
WriteBenchmark|WriteBenchmark|-wi 4 -w 5s -i 2 -r 4s
ReadBenchmark|ReadBenchmark|-wi 3 -w 5s -i 2 -r 4s
SnapshotBenchmark|SnapshotBenchmark|-p stateMiB=10,100,1024 -wi 1 -i 2
RecoveryBenchmark|RecoveryBenchmark|-p stateMiB=1024 -wi 0 -i 3
CatchUpBenchmark|CatchUpBenchmark|-p stateMiB=100,1024 -wi 0 -i 1
EOF
  else
    cat <<'EOF'
StoreApplyBenchmark|StoreApplyBenchmark|-wi 3 -w 2s -i 5 -r 2s
FailoverBenchmark|FailoverBenchmark-fast-default|-p profile=FAST,DEFAULT -p mode=inProcess,process -wi 2 -i 100
FailoverBenchmark|FailoverBenchmark-light|-p profile=FAST,DEFAULT -p mode=process -p writesPerSecond=100 -wi 2 -i 100
FailoverBenchmark|FailoverBenchmark-wan|-p profile=WAN -p mode=inProcess,process -wi 1 -i 30
SwitchoverBenchmark|SwitchoverBenchmark|-wi 5 -i 100
SteadyLoadBenchmark|SteadyLoadBenchmark|-p profile=FAST,DEFAULT
WriteBenchmark|WriteBenchmark|-wi 8 -w 5s -i 5 -r 10s
ReadBenchmark|ReadBenchmark|-wi 8 -w 5s -i 5 -r 10s
SnapshotBenchmark|SnapshotBenchmark|-p stateMiB=10,100,1024 -wi 1 -i 10
RecoveryBenchmark|RecoveryBenchmark|-p stateMiB=100,1024 -wi 1 -i 5
CatchUpBenchmark|CatchUpBenchmark|-p stateMiB=100,1024 -wi 0 -i 3
EOF
  fi
}

cpu_model="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
mem="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)"
load_now() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }
start_s=$(date +%s)
load_start="$(load_now)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null | head -1)" ]; then commit="$commit (uncommitted changes)"; fi
echo "bench: $profile profile, results in $out" >&2

status=0
# On 2 cores or fewer the JVM's common ForkJoinPool has a parallelism of 1, and every
# CompletableFuture *Async task (Ratis runs several per replicated entry) then gets a new thread.
# Forks get a parallelism of 2 there, as ./baton gives its nodes (docs/operations.md).
pool=()
if [ "$(nproc)" -le 2 ]; then
  pool=(-jvmArgsPrepend -Djava.util.concurrent.ForkJoinPool.common.parallelism=2)
fi

loads=""
while IFS='|' read -r class file opts when; do
  if [ -n "$only" ] && ! [[ "$class" =~ $only ]]; then
    continue
  fi
  if [ "$when" = named ] && [ -z "$only" ]; then
    continue
  fi
  echo "bench: $class $opts ${jmh_args[*]:-} (load average $(load_now))" >&2
  loads="$loads $(load_now)"
  log="$out/$file.log"
  set +e
  # shellcheck disable=SC2086 # $opts is a list of JMH options
  java -jar "$jar" "^io\.baton\.benchmarks\.$class\." $opts ${pool[@]+"${pool[@]}"} \
      ${jmh_args[@]+"${jmh_args[@]}"} \
      -rf json -rff "$out/$file.json" </dev/null 2>&1 | tee "$log" | grep -a --line-buffered \
      -E '^(# Benchmark:|# Parameters:|Iteration|# Run complete|[A-Za-z]+Benchmark\.)|<failure>|Exception'
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ] || grep -a -q '<failure>' "$log"; then
    echo "bench: $class FAILED (exit $rc); see $log" >&2
    status=1
  fi
done < <(runs)

end_s=$(date +%s)
secs=$((end_s - start_s))
command="./baton bench"
[ "$profile" = full ] && command="$command --full"
[ ${#jmh_args[@]} -gt 0 ] && command="$command ${jmh_args[*]}"
if [ -z "$only" ]; then
  default_caveat="three nodes, the client and JMH share this machine's cores, so every figure"
  default_caveat="$default_caveat includes their competition for CPU; compare runs on the same machine only"
  caveat="${BENCH_CAVEAT:-$default_caveat}"
  cat > "$out/run.properties" <<EOF
date=$(date -u +%Y-%m-%dT%H:%MZ)
command=$command
profile=$profile
duration=$((secs / 60)) min $((secs % 60)) s
cpus=$(nproc)
cpuModel=$cpu_model
memory=$mem
jdk=$(java -version 2>&1 | head -2 | tail -1)
os=$(uname -sr)
loadStart=$load_start
loadEnd=$(load_now)
loadDuring=${loads# }
commit=$commit
caveat=$caveat
EOF
  caption="$profile profile, $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)"
  java -Djava.awt.headless=true -cp "$jar" io.baton.benchmarks.chart.FailoverChart "$out" \
      "$root/benchmarks/failover-latency.png" "$caption" || status=1
  java -cp "$jar" io.baton.benchmarks.report.ResultsReport "$out" "$root/benchmarks/RESULTS.md" || status=1
fi
echo "bench: done in $((secs / 60)) min $((secs % 60)) s (exit $status)" >&2
exit $status
