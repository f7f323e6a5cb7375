package io.baton.benchmarks.report;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * How the reports print figures: milliseconds and plain numbers with as many decimals as their size
 * deserves, counts with thousands separators, and {@code n/a} for what was not measured.
 */
public final class Format {
  private Format() {}

  /** Milliseconds: {@code 264 ms}, {@code 33.2 ms}, {@code 4.92 ms}; {@code n/a} for NaN. */
  public static String ms(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f ms", v);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f ms" : "%.2f ms", v);
  }

  /** A ratio or rate: no decimals from 100 up, else two; {@code n/a} if not finite. */
  public static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
  }

  /** A count or throughput rounded to a whole number, with thousands separators: {@code 11,268}. */
  public static String whole(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  /** A limit as written in a target: {@code 250}, {@code 1.5}, {@code 40,000}. */
  public static String limit(double v) {
    if (v >= 1000 && v == Math.rint(v)) {
      return whole(v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /** A state size in MiB as {@code 10 MiB} or, in whole GiB, {@code 1 GiB}. */
  public static String mib(int mib) {
    return mib >= 1024 && mib % 1024 == 0 ? (mib / 1024) + " GiB" : mib + " MiB";
  }

  /**
   * Where {@code FailoverBenchmark} ran the nodes of run {@code r}: {@code "in-process"} (its
   * {@code mode} parameter {@code inProcess}, or results from before that parameter existed) or
   * {@code "processes"} (three node JVMs, the leader's killed with {@code kill -9}).
   */
  public static String failoverNodes(JmhResults.Run r) {
    return r.param("mode").filter("process"::equals).isPresent() ? "processes" : "in-process";
  }
}
