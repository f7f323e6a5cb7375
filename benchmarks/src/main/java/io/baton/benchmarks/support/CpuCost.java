package io.baton.benchmarks.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The CPU time this process spends per completed operation over a measurement iteration, and how
 * many cores it kept busy meanwhile. On a shared machine the throughput depends on how much CPU the
 * process gets; the CPU cost per operation depends far less on it, so it is the figure to compare
 * between two runs or two systems (all three replicas and the client are in this process).
 *
 * <p>On Linux the JIT compiler threads' time is left out of the cost per operation (it is the price
 * of warming up, not of the operations; it is still in {@link #busyCores()}).
 */
public final class CpuCost {
  private final LongSupplier completed;
  private long cpuStart;
  private long busyStart;
  private long wallStart;
  private long opsStart;

  /** A meter of the operations counted by {@code completed}. */
  public CpuCost(LongSupplier completed) {
    this.completed = completed;
  }

  /** Starts a measurement. */
  public void start() {
    busyStart = processCpuNanos();
    cpuStart = busyStart - compilerCpuNanos();
    wallStart = System.nanoTime();
    opsStart = completed.getAsLong();
  }

  /** CPU microseconds per operation completed since {@link #start()}. */
  public double cpuMicrosPerOp() {
    long ops = completed.getAsLong() - opsStart;
    long cpu = processCpuNanos() - compilerCpuNanos() - cpuStart;
    return ops <= 0 ? Double.NaN : cpu / 1e3 / ops;
  }

  /** Average number of cores this process kept busy since {@link #start()}. */
  public double busyCores() {
    long wall = System.nanoTime() - wallStart;
    long cpu = processCpuNanos() - busyStart;
    return wall <= 0 ? Double.NaN : cpu / (double) wall;
  }

  /**
   * The CPU time of this process's JIT compiler threads so far, from {@code /proc/self/task}; 0
   * where that does not exist.
   */
  public static long compilerCpuNanos() {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return 0;
    }
    long ticks = 0;
    try (Stream<Path> s = Files.list(tasks)) {
      for (Path t : s.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"), StandardCharsets.UTF_8);
          int close = stat.lastIndexOf(')');
          if (stat.substring(stat.indexOf('(') + 1, close).contains("CompilerThre")) {
            String[] f = stat.substring(close + 2).split(" ", -1);
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException e) {
          // A thread that ended meanwhile; compiler threads live as long as the JVM.
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks * 10_000_000L; // USER_HZ = 100
  }

  /** The CPU time of this process so far, in nanoseconds. */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
