package io.baton.torture;

import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.CommandRejectedException;
import io.baton.Peer;
import io.baton.ReadConsistency;
import io.baton.examples.kv.KvClient;
import io.baton.internal.Deadline;
import io.baton.torture.check.CounterChecker;
import io.baton.torture.check.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/*
 * The client side of a run: N threads, each a Jepsen "process" that issues one operation at a time
 * through its own BatonClient, choosing at random among three workloads on the kv example:
 *
 *  - register: read / write / compare-and-set / delete on a few live keys "r/N", with unique
 *    written values. A key retires after KEY_OPS operations or KEY_UNKNOWNS unknown ones, which
 *    keeps each key's history small enough for the linearizability search.
 *  - set: add a unique element "eN" as the key "s/G/eN" (a put whose reply must say nothing was
 *    replaced), or read the whole set with a linearizable scan of the prefix "s/G/".
 *  - counter: read "c/G", then compare-and-set it from the value read to that value plus one.
 *
 * Outcomes follow the Baton client's contract. CommandRejectedException means the command never
 * reached the log: fail. Every other failure of a write may or may not have been applied: unknown,
 * and the process retires; a fresh process with a fresh client takes over, so no write is ever
 * retried under a new request id. (The BatonClient retries internally under the same Ratis call
 * id, which the servers' retry cache makes exactly-once; that is what is being tested.) A read that
 * fails has no effect and is recorded as failed; its process carries on.
 */
/** The client threads of a run and the keys they used. */
final class Workload {
  static final int KEY_OPS = 250;
  static final int KEY_UNKNOWNS = 6;
  static final int SET_SIZE = 2000;
  static final int COUNTER_INCREMENTS = 500;

  private final TortureOptions options;
  private final List<Peer> peers;
  private final History history;
  private final AtomicInteger processes = new AtomicInteger();
  private final AtomicLong values = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final List<String> harnessErrors = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  private final Object keys = new Object();
  private final List<RegisterKey> liveRegisters = new ArrayList<>();
  private final LinkedHashSet<String> allRegisters = new LinkedHashSet<>();
  private int registerGeneration;
  private String setKey;
  private int setAdds;
  private final List<String> allSets = new ArrayList<>();
  private String counterKey;
  private int counterIncrements;
  private final List<String> allCounters = new ArrayList<>();

  private static final class RegisterKey {
    final String name;
    int ops;
    int unknowns;
    volatile String lastSeen;
    final List<String> written = new ArrayList<>();

    RegisterKey(String name) {
      this.name = name;
    }
  }

  Workload(TortureOptions options, List<Peer> peers, History history) {
    this.options = options;
    this.peers = List.copyOf(peers);
    this.history = history;
    synchronized (keys) {
      int live = Math.max(2, options.clients() / 3);
      for (int i = 0; i < live; i++) {
        liveRegisters.add(newRegister());
      }
      newSet();
      newCounter();
    }
  }

  private RegisterKey newRegister() {
    RegisterKey k = new RegisterKey("r/" + registerGeneration++);
    allRegisters.add(k.name);
    return k;
  }

  private void newSet() {
    setKey = "s/" + allSets.size() + "/";
    setAdds = 0;
    allSets.add(setKey);
  }

  private void newCounter() {
    counterKey = "c/" + allCounters.size();
    counterIncrements = 0;
    allCounters.add(counterKey);
  }

  /** A fresh process id. */
  int newProcess() {
    return processes.getAndIncrement();
  }

  /** A value never written before in this run. */
  String uniqueValue() {
    return "v" + values.incrementAndGet();
  }

  /** A register key for the broken mode's probes, checked like every register key. */
  String probeKey() {
    synchronized (keys) {
      return newRegister().name;
    }
  }

  BatonClient newClient() {
    return BatonClient.newBuilder().peers(peers).requestTimeout(options.requestTimeout()).build();
  }

  /** Starts the client threads. */
  void start() {
    for (int i = 0; i < options.clients(); i++) {
      int index = i;
      Thread t = new Thread(() -> runClient(index), "torture-client-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * Stops issuing operations and waits for the operations in flight, which end by the request
   * timeout at the latest.
   */
  void stop() {
    stopping = true;
    Deadline deadline = Deadline.after(options.requestTimeout().plusSeconds(15));
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, deadline.remainingMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  List<String> registerKeys() {
    synchronized (keys) {
      return List.copyOf(allRegisters);
    }
  }

  List<String> setKeys() {
    synchronized (keys) {
      return List.copyOf(allSets);
    }
  }

  List<String> counterKeys() {
    synchronized (keys) {
      return List.copyOf(allCounters);
    }
  }

  /** Unexpected exceptions from the client side: bugs in the harness, which fail the run. */
  List<String> harnessErrors() {
    return List.copyOf(harnessErrors);
  }

  private void runClient(int index) {
    Random random = new Random(options.seed() * 1_000_003L + index);
    int process = newProcess();
    BatonClient client = newClient();
    KvClient kv = new KvClient(client);
    while (!stopping) {
      int roll = random.nextInt(100);
      boolean retire;
      if (roll < 50) {
        retire = register(random, process, kv);
      } else if (roll < 75) {
        retire = set(random, process, kv);
      } else {
        retire = counter(process, kv);
      }
      if (retire) {
        closeQuietly(client);
        process = newProcess();
        client = newClient();
        kv = new KvClient(client);
      }
      Sleeper.sleep(random.nextInt(3));
    }
    closeQuietly(client);
  }

  private static void closeQuietly(BatonClient client) {
    try {
      client.close();
    } catch (BatonException e) {
      // The process is retired; nothing it does matters any more.
    }
  }

  private RegisterKey pickRegister(Random random) {
    synchronized (keys) {
      int i = random.nextInt(liveRegisters.size());
      RegisterKey k = liveRegisters.get(i);
      if (++k.ops >= KEY_OPS || k.unknowns >= KEY_UNKNOWNS) {
        liveRegisters.set(i, newRegister());
      }
      return k;
    }
  }

  private boolean register(Random random, int process, KvClient kv) {
    RegisterKey key = pickRegister(random);
    int roll = random.nextInt(100);
    if (roll < 45) {
      readRegister(random, process, kv, key);
      return false;
    }
    History.Pending p;
    if (roll < 75) {
      String v = uniqueValue();
      p = history.invoke(process, key.name, OpType.WRITE, v, null);
      try {
        Optional<String> replaced = kv.put(key.name, v);
        p.ok(replaced.orElse(null));
        remember(key, v);
        return false;
      } catch (RuntimeException e) {
        return failWrite(p, key, e);
      }
    } else if (roll < 93) {
      String expected = expectation(random, key);
      String v = uniqueValue();
      p = history.invoke(process, key.name, OpType.CAS, v, expected);
      try {
        boolean set = kv.compareAndSet(key.name, expected, v);
        p.ok(Boolean.toString(set));
        if (set) {
          remember(key, v);
        }
        return false;
      } catch (RuntimeException e) {
        return failWrite(p, key, e);
      }
    } else {
      p = history.invoke(process, key.name, OpType.DELETE, null, null);
      try {
        boolean existed = kv.delete(key.name);
        p.ok(Boolean.toString(existed));
        key.lastSeen = null;
        return false;
      } catch (RuntimeException e) {
        return failWrite(p, key, e);
      }
    }
  }

  private void readRegister(Random random, int process, KvClient kv, RegisterKey key) {
    String node = null;
    ReadConsistency c;
    if (options.brokenStaleReads()) {
      node = peers.get(random.nextInt(peers.size())).id();
      c = ReadConsistency.STALE;
    } else {
      c = random.nextInt(4) == 0 ? ReadConsistency.FOLLOWER : ReadConsistency.LINEARIZABLE;
    }
    // A read's "value" records how it read; the checker ignores it.
    String how = c.name().toLowerCase(Locale.ROOT) + (node == null ? "" : "@" + node);
    History.Pending p = history.invoke(process, key.name, OpType.READ, how, null);
    try {
      Optional<String> v = node == null ? kv.get(key.name, c) : kv.get(key.name, c, node);
      p.ok(v.orElse(null));
      key.lastSeen = v.orElse(null);
    } catch (RuntimeException e) {
      p.fail(describe(e));
      noteHarnessError(e);
    }
  }

  private static void remember(RegisterKey key, String v) {
    key.lastSeen = v;
    synchronized (key.written) {
      key.written.add(v);
    }
  }

  /** Usually the value last seen (so that some compare-and-sets succeed), else an older one. */
  private static String expectation(Random random, RegisterKey key) {
    if (random.nextInt(4) > 0) {
      return key.lastSeen;
    }
    synchronized (key.written) {
      return key.written.isEmpty() ? null : key.written.get(random.nextInt(key.written.size()));
    }
  }

  private boolean failWrite(History.Pending p, RegisterKey key, RuntimeException e) {
    if (e instanceof CommandRejectedException) {
      p.fail(describe(e));
      return false;
    }
    p.unknown(describe(e));
    noteHarnessError(e);
    if (key != null) {
      synchronized (keys) {
        key.unknowns++;
      }
    }
    return true;
  }

  private void noteHarnessError(RuntimeException e) {
    if (!(e instanceof BatonException)) {
      harnessErrors.add(describe(e));
    }
  }

  /**
   * The exception's class and message on one printable line, at most 400 characters: Ratis puts the
   * raw bytes of the failed request in some messages.
   */
  static String describe(Throwable e) {
    String m = e.getMessage();
    String text = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    text = CONTROL.matcher(text).replaceAll("?");
    return text.length() <= 400 ? text : text.substring(0, 400) + "...";
  }

  private static final java.util.regex.Pattern CONTROL =
      java.util.regex.Pattern.compile("\\p{Cntrl}");

  private boolean set(Random random, int process, KvClient kv) {
    String prefix;
    synchronized (keys) {
      prefix = setKey;
    }
    if (random.nextInt(100) < 15) {
      History.Pending p = history.invoke(process, prefix, OpType.READ_SET, null, null);
      try {
        Map<String, String> entries = kv.scan(prefix, SET_SIZE + 1000);
        p.okElements(new LinkedHashSet<>(entries.values()));
      } catch (RuntimeException e) {
        p.fail(describe(e));
        noteHarnessError(e);
      }
      return false;
    }
    String element = "e" + values.incrementAndGet();
    History.Pending p = history.invoke(process, prefix, OpType.ADD, element, null);
    try {
      Optional<String> replaced = kv.put(prefix + element, element);
      p.ok(replaced.orElse(null));
      synchronized (keys) {
        if (prefix.equals(setKey) && ++setAdds >= SET_SIZE) {
          newSet();
        }
      }
      return false;
    } catch (RuntimeException e) {
      return failWrite(p, null, e);
    }
  }

  private boolean counter(int process, KvClient kv) {
    String key;
    synchronized (keys) {
      key = counterKey;
    }
    History.Pending read = history.invoke(process, key, OpType.READ_COUNTER, null, null);
    Optional<String> current;
    try {
      current = kv.get(key);
      read.ok(current.orElse(null));
    } catch (RuntimeException e) {
      read.fail(describe(e));
      noteHarnessError(e);
      return false;
    }
    String expected = current.orElse(null);
    String next = Long.toString(CounterChecker.value(expected) + 1);
    History.Pending p = history.invoke(process, key, OpType.INCREMENT, next, expected);
    try {
      boolean set = kv.compareAndSet(key, expected, next);
      p.ok(Boolean.toString(set));
      if (set) {
        synchronized (keys) {
          if (key.equals(counterKey) && ++counterIncrements >= COUNTER_INCREMENTS) {
            newCounter();
          }
        }
      }
      return false;
    } catch (RuntimeException e) {
      return failWrite(p, null, e);
    }
  }

  /** The final contents of each set, read linearizably; a set whose read failed is absent. */
  Map<String, java.util.Set<String>> finalSets(KvClient kv, Duration timeout) {
    Map<String, java.util.Set<String>> result = new HashMap<>();
    for (String prefix : setKeys()) {
      Retry.until(
          timeout,
          () -> result.put(prefix, new LinkedHashSet<>(kv.scan(prefix, SET_SIZE + 1000).values())));
    }
    return result;
  }

  /** The final value of each counter, read linearizably; a counter whose read failed is absent. */
  Map<String, Long> finalCounters(KvClient kv, Duration timeout) {
    Map<String, Long> result = new HashMap<>();
    for (String key : counterKeys()) {
      Retry.until(timeout, () -> result.put(key, CounterChecker.value(kv.get(key).orElse(null))));
    }
    return result;
  }
}
