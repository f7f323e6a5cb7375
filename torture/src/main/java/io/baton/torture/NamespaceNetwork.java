package io.baton.torture;

import io.baton.internal.Await;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Each node in its own Linux network namespace, joined by veth pairs to a bridge:
 *
 *   harness JVM (root namespace) -- bridge bttPID-br 10.77.X.254/24
 *                                     |-- veth bttPIDv1 <-> eth0 10.77.X.1 in namespace bttPID-n1
 *                                     |-- veth bttPIDv2 <-> eth0 10.77.X.2 in namespace bttPID-n2
 *                                     ...
 *
 * The bridge's address gives the harness (clients and nemesis) a route to the nodes; the
 * namespaces have no default route, so nodes reach nothing but each other and the harness.
 *
 * Faults are iptables rules inside a node's namespace, on INPUT, matching the source address of a
 * peer (Jepsen's grudge): a symmetric cut is a DROP rule on both sides. Packets from the bridge
 * address (the harness's clients) are never matched. Random loss uses the statistic match and slow
 * links the tbf qdisc: netem is not built into the kernels this runs on. Each rule carries a
 * comment naming its link ("n1->n3 blocked"), and its packet counter is the evidence that a fault
 * really dropped traffic.
 *
 * With the delay proxy (only when the delay fault is asked for), peer traffic runs through the
 * harness JVM instead (see DelayProxy): in each node a's namespace, a nat OUTPUT DNAT rule per
 * peer b sends a's connections for b's address:port to a proxy listener on the bridge address,
 * and the proxy connects to b from 10.77.X.(100+a), an extra address of the bridge that stands for
 * a. Peer packets then no longer carry the peer's own address, so each grudge from -> to is three
 * rules in to's namespace: source from (direct traffic, none while the proxy runs), source
 * 10.77.X.(100+from) (connections from opened, arriving through the proxy), and conntrack original
 * destination from (the answers on connections to opened to from, which arrive from the proxy's
 * listener). Client connections start in the root namespace and match none of them.
 *
 * Every name carries the harness JVM's pid ("btt" + pid), so concurrent runs do not collide and a
 * later run can tell leftovers of a dead run (pid gone) from a live one and remove them.
 */
/** Nodes in network namespaces on a private bridge, with iptables and tc faults and delays. */
final class NamespaceNetwork implements Network {
  private static final Pattern LEFTOVER = Pattern.compile("^btt(\\d+)(-n\\d+|v\\d+|-br)(@\\S*)?$");

  private final String prefix;
  private final String subnet;
  private final List<String> ids;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final List<String> rules = new ArrayList<>();
  private final List<String> throttled = new ArrayList<>();
  private final boolean proxied;
  private DelayProxy proxy;
  private boolean closed;

  private NamespaceNetwork(List<String> ids, String subnet, boolean proxied) {
    this.prefix = "btt" + ProcessHandle.current().pid();
    this.subnet = subnet;
    this.proxied = proxied;
    this.ids = List.copyOf(ids);
    for (int i = 0; i < ids.size(); i++) {
      index.put(ids.get(i), i + 1);
    }
  }

  /**
   * Why namespaces cannot be used here, or empty if they can: needs root, {@code ip}, {@code
   * iptables} and {@code tc}, and a host FORWARD policy that lets bridged frames through.
   */
  static Optional<String> unsupportedReason() {
    if (!"Linux".equalsIgnoreCase(System.getProperty("os.name"))) {
      return Optional.of("not Linux");
    }
    Shell.Result uid = Shell.quiet("id", "-u");
    if (!uid.ok() || !uid.output().equals("0")) {
      return Optional.of("not root (network namespaces and iptables need root)");
    }
    for (String tool : List.of("ip", "iptables", "tc")) {
      if (!Shell.available(tool)) {
        return Optional.of("'" + tool + "' is not installed (apt-get install iproute2 iptables)");
      }
    }
    Shell.Result forward = Shell.quiet("iptables", "-w", "-S", "FORWARD");
    if (!forward.ok()) {
      return Optional.of("iptables does not work here: " + forward.output());
    }
    if (forward.output().contains("-P FORWARD DROP") && bridgeFramesFiltered()) {
      return Optional.of(
          "the host's iptables FORWARD policy is DROP and bridged frames pass through it"
              + " (net.bridge.bridge-nf-call-iptables=1)");
    }
    return Optional.empty();
  }

  private static boolean bridgeFramesFiltered() {
    try {
      Path p = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
      return Files.exists(p) && Files.readString(p).strip().equals("1");
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /**
   * Creates the bridge and one namespace per node, and with {@code proxied} routes peer traffic
   * through a {@link DelayProxy}; cleans up and throws if any step fails.
   */
  static NamespaceNetwork create(List<String> ids, boolean proxied) {
    NamespaceNetwork net = new NamespaceNetwork(ids, pickSubnet(), proxied);
    try {
      net.setUp();
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  private static String pickSubnet() {
    String used = Shell.quiet("ip", "-4", "-o", "addr", "show").output();
    long pid = ProcessHandle.current().pid();
    for (int i = 0; i < 200; i++) {
      int x = (int) ((pid + i) % 200) + 20;
      String candidate = "10.77." + x;
      if (!used.contains(candidate + ".")) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free 10.77.X.0/24 subnet for the torture bridge");
  }

  private String bridge() {
    return prefix + "-br";
  }

  private String namespace(String id) {
    return prefix + "-n" + index.get(id);
  }

  private String veth(String id) {
    return prefix + "v" + index.get(id);
  }

  private void setUp() {
    Shell.check("ip", "link", "add", bridge(), "type", "bridge");
    Shell.check("ip", "addr", "add", subnet + ".254/24", "dev", bridge());
    Shell.check("ip", "link", "set", bridge(), "up");
    for (String id : ids) {
      String ns = namespace(id);
      Shell.check("ip", "netns", "add", ns);
      Shell.check(
          "ip", "link", "add", veth(id), "type", "veth", "peer", "name", "eth0", "netns", ns);
      Shell.check("ip", "link", "set", veth(id), "master", bridge());
      Shell.check("ip", "link", "set", veth(id), "up");
      Shell.check("ip", "-n", ns, "link", "set", "lo", "up");
      Shell.check("ip", "-n", ns, "addr", "add", host(id) + "/24", "dev", "eth0");
      Shell.check("ip", "-n", ns, "link", "set", "eth0", "up");
    }
    if (proxied) {
      setUpProxy();
    }
  }

  private String bridgeAddress() {
    return subnet + ".254";
  }

  /** The bridge address the proxy connects from on behalf of node {@code id}. */
  private String proxySource(String id) {
    return subnet + "." + (100 + index.get(id));
  }

  private void setUpProxy() {
    for (String id : ids) {
      Shell.check("ip", "addr", "add", proxySource(id) + "/32", "dev", bridge());
    }
    proxy = new DelayProxy(address(bridgeAddress()));
    for (String from : ids) {
      for (String to : ids) {
        if (from.equals(to)) {
          continue;
        }
        int port =
            proxy.listen(
                from,
                to,
                new InetSocketAddress(address(host(to)), port(to)),
                address(proxySource(from)));
        iptables(
            from,
            "-t",
            "nat",
            "-A",
            "OUTPUT",
            "-p",
            "tcp",
            "-d",
            host(to),
            "--dport",
            Integer.toString(port(to)),
            "-j",
            "DNAT",
            "--to-destination",
            bridgeAddress() + ":" + port);
      }
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String description() {
    return "network namespaces "
        + prefix
        + "-n* on bridge "
        + bridge()
        + " ("
        + subnet
        + ".0/24; harness at "
        + bridgeAddress()
        + ")"
        + (proxied ? "; peer traffic through the harness's delay proxy (DNAT)" : "");
  }

  @Override
  public boolean injectsFaults() {
    return true;
  }

  @Override
  public boolean delays() {
    return proxied;
  }

  @Override
  public String limitation() {
    return "";
  }

  @Override
  public String host(String id) {
    return subnet + "." + index.get(id);
  }

  @Override
  public int port(String id) {
    return 7100 + index.get(id);
  }

  @Override
  public List<String> wrap(String id, List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(id)));
    wrapped.addAll(command);
    return wrapped;
  }

  private String iptables(String id, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("ip", "netns", "exec", namespace(id), "iptables", "-w"));
    cmd.addAll(List.of(args));
    Shell.Result r = Shell.run(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.output());
    }
    return r.output();
  }

  /**
   * Adds {@code action} rules to node {@code to}'s INPUT for every way packets from node {@code
   * from} arrive there (see the essay above), commented {@code "from->to kind"}.
   */
  private void dropFrom(String from, String to, String kind, List<String> action) {
    List<List<String>> matches = new ArrayList<>();
    matches.add(List.of("-s", host(from)));
    if (proxied) {
      matches.add(List.of("-s", proxySource(from)));
      matches.add(List.of("-m", "conntrack", "--ctorigdst", host(from)));
    }
    for (List<String> match : matches) {
      List<String> args = new ArrayList<>(List.of("-A", "INPUT"));
      args.addAll(match);
      args.addAll(List.of("-m", "comment", "--comment", from + "->" + to + " " + kind));
      args.addAll(action);
      iptables(to, args.toArray(new String[0]));
    }
    rules.add(from + "->" + to);
  }

  @Override
  public synchronized void block(String from, String to) {
    dropFrom(from, to, "blocked", List.of("-j", "DROP"));
  }

  @Override
  public synchronized void lossy(String at, List<String> peers, double probability, int rateKbit) {
    for (String peer : peers) {
      dropFrom(
          peer,
          at,
          "random loss",
          List.of(
              "-m",
              "statistic",
              "--mode",
              "random",
              "--probability",
              String.format(Locale.ROOT, "%.3f", probability),
              "-j",
              "DROP"));
    }
    if (rateKbit > 0) {
      Shell.check(
          "ip",
          "netns",
          "exec",
          namespace(at),
          "tc",
          "qdisc",
          "add",
          "dev",
          "eth0",
          "root",
          "tbf",
          "rate",
          rateKbit + "kbit",
          "burst",
          "32kbit",
          "latency",
          "400ms");
      throttled.add(at);
    }
  }

  /** A DROP rule in "iptables -L -v -x -n" output: packet counter first, link comment last. */
  private static final Pattern RULE =
      Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+DROP\\s.*/\\* (\\S+->\\S+ [a-z ]+) \\*/.*$");

  @Override
  public synchronized Map<String, Long> dropCounters() {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (String id : ids) {
      addDropCounters(iptables(id, "-L", "INPUT", "-v", "-x", "-n"), counters);
    }
    return counters;
  }

  /** Adds the packet counters of the commented DROP rules in {@code listing}, by comment. */
  static void addDropCounters(String listing, Map<String, Long> counters) {
    for (String line : listing.lines().toList()) {
      Matcher m = RULE.matcher(line);
      if (m.matches()) {
        counters.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
      }
    }
  }

  @Override
  public synchronized void delay(Set<String> nodes, Duration base, Duration jitter) {
    if (proxy == null) {
      throw new UnsupportedOperationException("peer traffic does not run through the delay proxy");
    }
    proxy.delay(nodes, base, jitter);
  }

  @Override
  public boolean clearDelay(Duration timeout) {
    DelayProxy p;
    synchronized (this) {
      p = proxy;
    }
    if (p == null) {
      return true;
    }
    p.clear();
    return p.awaitDrained(timeout);
  }

  @Override
  public synchronized DelayProxy.Stats delayStats() {
    return proxy == null ? new DelayProxy.Stats(0, 0, 0, 0, 0, 0, 0, Map.of()) : proxy.stats();
  }

  @Override
  public synchronized void heal() {
    if (proxy != null) {
      proxy.clear();
    }
    List<String> problems = new ArrayList<>();
    for (String id : ids) {
      Shell.Result flush =
          Shell.run(List.of("ip", "netns", "exec", namespace(id), "iptables", "-w", "-F", "INPUT"));
      if (!flush.ok()) {
        problems.add(id + ": " + flush.output());
      }
      String left = iptables(id, "-S", "INPUT");
      if (!left.strip().equals("-P INPUT ACCEPT")) {
        problems.add(id + " still has rules: " + left);
      }
    }
    for (String id : throttled) {
      Shell.Result r =
          Shell.run(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  namespace(id),
                  "tc",
                  "qdisc",
                  "del",
                  "dev",
                  "eth0",
                  "root"));
      if (!r.ok()) {
        problems.add(id + " tc: " + r.output());
      }
    }
    throttled.clear();
    rules.clear();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("could not heal the network: " + problems);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (proxy != null) {
      proxy.close();
    }
    for (String id : ids) {
      Shell.quiet("ip", "netns", "del", namespace(id));
      Shell.quiet("ip", "link", "del", veth(id));
    }
    Shell.quiet("ip", "link", "del", bridge());
    awaitLinksGone(prefix);
  }

  private static void awaitLinksGone(String prefix) {
    Await.until(
        Duration.ofSeconds(5),
        Duration.ofMillis(100),
        () -> !Shell.quiet("ip", "-o", "link", "show").output().contains(prefix));
  }

  /**
   * Removes namespaces and links left by torture runs whose JVM is gone (killed before its cleanup
   * ran), after killing the node processes still running inside those namespaces: they were started
   * by that run. Returns a description of what was removed.
   */
  static List<String> removeLeftovers() {
    List<String> removed = new ArrayList<>();
    if (!Shell.available("ip")) {
      return removed;
    }
    for (String line : Shell.quiet("ip", "netns", "list").output().lines().toList()) {
      String name = line.split(" ", 2)[0];
      Matcher m = LEFTOVER.matcher(name);
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        for (String pid : Shell.quiet("ip", "netns", "pids", name).output().lines().toList()) {
          if (!pid.isBlank()) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            removed.add("process " + pid.strip() + " in " + name);
          }
        }
        Shell.quiet("ip", "netns", "del", name);
        removed.add("namespace " + name);
      }
    }
    for (String line : Shell.quiet("ip", "-o", "link", "show").output().lines().toList()) {
      String[] fields = line.split(":\\s+", 3);
      if (fields.length < 2) {
        continue;
      }
      Matcher m = LEFTOVER.matcher(fields[1].strip());
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        String name = fields[1].strip().replaceFirst("@.*$", "");
        Shell.quiet("ip", "link", "del", name);
        removed.add("link " + name);
      }
    }
    return removed;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
