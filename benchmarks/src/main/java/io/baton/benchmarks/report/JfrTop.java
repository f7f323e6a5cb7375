package io.baton.benchmarks.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises where CPU samples of a JFR recording fall (for example one made with JMH's {@code
 * -prof jfr}): by component (the innermost frame that belongs to RocksDB, the Raft log, gRPC and
 * Netty, protobuf, Baton, ...), by code anywhere on the stack (inclusive), by thread group (thread
 * names with digits folded), and by top frame. Only {@code jdk.ExecutionSample} events count: Java
 * threads running on a CPU.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.baton.benchmarks.report.JfrTop <recording.jfr>
 * [rows]}; prints Markdown tables.
 */
public final class JfrTop {
  /** Components by package prefix, matched innermost frame first; first match wins per frame. */
  private static final String[][] COMPONENTS = {
    {"org.rocksdb.", "RocksDB (JNI)"},
    {"io.baton.storage.", "Baton storage"},
    {"io.baton.benchmarks.", "benchmark harness"},
    {"io.baton.internal.ratis.", "Baton Ratis adapter"},
    {"io.baton.", "Baton"},
    {"org.apache.ratis.server.raftlog.", "Ratis log (segmented log, fsync)"},
    {"org.apache.ratis.server.impl.StateMachineUpdater", "Ratis apply loop"},
    {"org.apache.ratis.grpc.", "Ratis gRPC transport"},
    {"org.apache.ratis.server.", "Ratis server"},
    {"org.apache.ratis.client.", "Ratis client"},
    {"org.apache.ratis.thirdparty.io.netty.", "Netty"},
    {"org.apache.ratis.thirdparty.io.grpc.", "gRPC"},
    {"org.apache.ratis.thirdparty.com.google.protobuf.", "protobuf"},
    {"org.apache.ratis.", "Ratis other"},
    {"org.openjdk.jmh.", "JMH"},
    {"java.util.concurrent.", "JDK concurrency"},
    {"sun.nio.", "JDK NIO"},
    {"java.", "JDK other"},
    {"jdk.", "JDK other"},
    {"sun.", "JDK other"},
  };

  /** Inclusive markers: a sample counts for each marker found in any of its frames' classes. */
  private static final String[][] MARKERS = {
    {"org.apache.ratis.thirdparty.io.netty.", "Netty"},
    {"org.apache.ratis.thirdparty.io.grpc.", "gRPC"},
    {"org.apache.ratis.thirdparty.com.google.protobuf.", "protobuf (Ratis's shaded copy)"},
    {"org.apache.ratis.thirdparty.com.codahale.metrics.", "Ratis metrics (Dropwizard)"},
    {"org.apache.ratis.server.raftlog.", "Ratis log"},
    {"org.apache.ratis.server.impl.RetryCacheImpl", "Ratis retry cache"},
    {"org.apache.ratis.server.impl.StateMachineUpdater", "Ratis apply loop"},
    {"io.baton.internal.ratis.BatonStateMachineAdapter", "Baton state machine adapter"},
    {"io.baton.internal.ratis.RatisBatonClient", "Baton client"},
    {"io.baton.storage.", "Baton store"},
    {"org.rocksdb.", "RocksDB (JNI)"},
    {"io.baton.benchmarks.", "benchmark harness"},
  };

  private JfrTop() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrTop <recording.jfr> [rows]");
      System.exit(2);
    }
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    Map<String, Long> components = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> frames = new HashMap<>();
    Map<String, Long> batonFrames = new HashMap<>();
    Map<String, Long> markers = new HashMap<>();
    long total = 0;
    try (RecordingFile f = new RecordingFile(Path.of(args[0]))) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        total++;
        List<RecordedFrame> fs = st.getFrames();
        components.merge(component(fs), 1L, Long::sum);
        RecordedThread t = e.getThread("sampledThread");
        String name = t == null ? "?" : t.getJavaName();
        threads.merge(name == null ? "?" : name.replaceAll("[0-9]+", "#"), 1L, Long::sum);
        frames.merge(frame(fs.get(0)), 1L, Long::sum);
        for (String[] m : MARKERS) {
          for (RecordedFrame fr : fs) {
            if (fr.getMethod().getType().getName().startsWith(m[0])) {
              markers.merge(m[1], 1L, Long::sum);
              break;
            }
          }
        }
        for (RecordedFrame fr : fs) {
          String type = fr.getMethod().getType().getName();
          if (type.startsWith("io.baton.") && !type.startsWith("io.baton.benchmarks.")) {
            batonFrames.merge(frame(fr), 1L, Long::sum);
            break;
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d CPU samples in %s%n%n", total, args[0]);
    print("component (innermost known frame)", components, total, rows);
    print("code on the stack (inclusive: a sample counts for each)", markers, total, rows);
    print("thread group", threads, total, rows);
    print("top frame (self time)", frames, total, rows);
    print("innermost Baton frame, where Baton code is on the stack", batonFrames, total, rows);
  }

  private static String component(List<RecordedFrame> frames) {
    for (RecordedFrame fr : frames) {
      String type = fr.getMethod().getType().getName();
      for (String[] c : COMPONENTS) {
        if (type.startsWith(c[0])) {
          return c[1];
        }
      }
    }
    return "other";
  }

  private static String frame(RecordedFrame fr) {
    String type = fr.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + fr.getMethod().getName();
  }

  private static void print(String title, Map<String, Long> counts, long total, int rows) {
    System.out.println("| " + title + " | samples | share |");
    System.out.println("|---|---|---|");
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    Map<String, Long> shown = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(rows, sorted.size()))) {
      shown.put(e.getKey(), e.getValue());
    }
    shown.forEach(
        (k, v) ->
            System.out.printf(
                Locale.ROOT,
                "| `%s` | %d | %.1f %% |%n",
                k,
                v,
                total == 0 ? 0 : 100.0 * v / total));
    System.out.println();
  }
}
