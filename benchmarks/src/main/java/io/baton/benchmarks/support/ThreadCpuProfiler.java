package io.baton.benchmarks.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that charges the benchmark process's CPU time, user and kernel, to its threads,
 * native ones included (GC, JIT compilers, Netty's event loops in epoll, RocksDB's JNI calls), read
 * from {@code /proc/self/task/}{@code *}{@code /stat} before and after each iteration. Threads are
 * grouped by name with digits folded ({@code grpc-default-executor-#}). Linux only; elsewhere it
 * reports nothing.
 *
 * <p>Where JFR's execution samples only see Java frames, this shows where all the CPU goes,
 * including system calls and context switches. Use: {@code java -jar benchmarks.jar WriteBenchmark
 * -prof io.baton.benchmarks.support.ThreadCpuProfiler}; each iteration prints the top groups, and
 * the JSON gets {@code cpu.user.ms}, {@code cpu.sys.ms} and {@code cpu.<group>.ms} for the ten
 * largest groups.
 */
public final class ThreadCpuProfiler implements InternalProfiler {
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final double MS_PER_TICK = 10.0; // USER_HZ is 100 on Linux

  private Map<String, long[]> before = Map.of();
  private final Map<String, long[]> lastSeen = new ConcurrentHashMap<>();
  private volatile boolean sampling;
  private Thread sampler;

  @Override
  public String getDescription() {
    return "CPU time (user + kernel) per thread group of the benchmark process, from /proc";
  }

  /*
   * JMH calls afterIteration after the trial tear-down of the last iteration, when the cluster's
   * threads are gone. A sampler thread keeps the last ticks seen of every thread, so threads that
   * ended during the iteration still count (all but their last 100 ms).
   */
  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    lastSeen.clear();
    before = snapshot();
    sampling = true;
    sampler =
        new Thread(
            () -> {
              while (sampling) {
                lastSeen.putAll(snapshot());
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-thread-cpu");
    sampler.setDaemon(true);
    sampler.start();
  }

  @Override
  public Collection<? extends Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    sampling = false;
    sampler.interrupt();
    Map<String, long[]> after = new HashMap<>(lastSeen);
    after.putAll(snapshot());
    Map<String, long[]> groups = new HashMap<>();
    long user = 0;
    long sys = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] a = e.getValue();
      long[] b = before.getOrDefault(e.getKey(), new long[] {0, 0});
      long du = a[0] - b[0];
      long ds = a[1] - b[1];
      user += du;
      sys += ds;
      String group = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "#");
      long[] g = groups.computeIfAbsent(group, k -> new long[2]);
      g[0] += du;
      g[1] += ds;
    }
    List<Map.Entry<String, long[]>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort(
        (x, y) ->
            Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]));
    long total = Math.max(1, user + sys);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%nCPU by thread group: %.0f ms user, %.0f ms kernel%n",
            user * MS_PER_TICK,
            sys * MS_PER_TICK));
    List<Result<?>> out = new ArrayList<>();
    out.add(new ScalarResult("cpu.user.ms", user * MS_PER_TICK, "ms", AggregationPolicy.AVG));
    out.add(new ScalarResult("cpu.sys.ms", sys * MS_PER_TICK, "ms", AggregationPolicy.AVG));
    for (int i = 0; i < Math.min(15, sorted.size()); i++) {
      Map.Entry<String, long[]> e = sorted.get(i);
      long t = e.getValue()[0] + e.getValue()[1];
      sb.append(
          String.format(
              Locale.ROOT,
              "  %5.1f %%  %6.0f ms (%4.0f%% kernel)  %s%n",
              100.0 * t / total,
              t * MS_PER_TICK,
              t == 0 ? 0 : 100.0 * e.getValue()[1] / t,
              e.getKey()));
      if (i < 10) {
        out.add(
            new ScalarResult(
                "cpu." + e.getKey() + ".ms", t * MS_PER_TICK, "ms", AggregationPolicy.AVG));
      }
    }
    System.out.print(sb);
    return out;
  }

  /** Thread id and name to {user, system} clock ticks. */
  private static Map<String, long[]> snapshot() {
    Map<String, long[]> m = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return m;
    }
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path t : tasks.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"), StandardCharsets.UTF_8);
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ", -1);
          // After the name: state(0) ppid ... utime is field 14 of stat, index 11 here; stime 12.
          m.put(
              t.getFileName() + " " + name,
              new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])});
        } catch (IOException | RuntimeException e) {
          // The thread ended between listing and reading: its time is lost to this iteration.
        }
      }
    } catch (IOException e) {
      return m;
    }
    return m;
  }
}
