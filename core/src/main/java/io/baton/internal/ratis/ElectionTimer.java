package io.baton.internal.ratis;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Why this class exists. Ratis's follower timer (FollowerState, package-private in ratis-server)
 * loops: draw a random timeout T in [min, max], sleep T, then start an election only if the leader
 * has been silent for at least T. A leader that dies just after one of those checks is noticed only
 * after the next whole sleep that begins once its last heartbeat is older than T, so detection
 * takes between T and about 2T. Raft (§5.2) and etcd count the timeout from the last heartbeat.
 *
 * This timer does that for a follower that knows a leader (the case that matters: the leader it
 * followed died). It draws T once per silence (anew whenever a fresh heartbeat arrives, and
 * after every election this node took part in), parks until the leader's last message is T old, and
 * then starts the election exactly as Ratis's own timer would, under the same conditions, read from
 * Ratis's public role info: the node is a running follower, no append or snapshot install is in
 * progress, and it has not just stepped down as leader (Ratis keeps such a node out of elections for
 * its step-down wait; this timer does the same from the step-down notification). Elections still
 * start with pre-vote, and a node whose elections are paused (drained) is left alone. If the timer
 * itself wakes up later than a heartbeat interval past its due time, the JVM or the machine stalled
 * (GC, CPU starvation) and the leader's heartbeats may be waiting unread in the sockets; it looks
 * again instead of judging the leader on a silence it could not have heard through (Ratis's timer
 * skips a round after an oversleep in the same way). Ratis's own
 * timer keeps running as a backstop; whichever fires first starts the election, and the other then
 * finds the node no longer a follower.
 *
 * A follower that knows no leader (at a start, or after an election it lost or voted in) is timed
 * the same way from the moment it became a follower (Ratis's role info, roleElapsedTimeMs, which
 * restarts at every election this node votes in), and never from before this timer started. The
 * timer starts when the node's RPC server listens; Ratis starts its own timer earlier, before
 * anyone can answer the node, which is why RaftConfig makes Ratis's first wait a backstop of 3-5
 * timeouts. Pre-votes this node granted are not visible here (Ratis counts them as contact), so it
 * may start a pre-vote of its own meanwhile; a pre-vote changes no term. Before every election it
 * starts, the timer makes the node's channels to its peers reconnect now (PeerChannels): a peer
 * that was down when last called is otherwise unreachable for the rest of gRPC's back-off.
 *
 * One reach into Ratis internals: starting the election. Ratis has no public API for a follower
 * to start an election of its own (a leadership transfer forces one on the target, but skips
 * pre-vote and must come from the current leader), so this calls the package-private
 * RaftServerImpl.changeToCandidate(false), the very method Ratis's timer calls, while holding the
 * division's monitor as Ratis does. If a Ratis upgrade removes or renames it, supported() is false,
 * a warning is logged once, detection falls back to Ratis's own timer, and ElectionTimerTest fails.
 */
/** Starts this node's election as soon as the leader has been silent for a random timeout. */
final class ElectionTimer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ElectionTimer.class);
  private static final Optional<Method> CHANGE_TO_CANDIDATE =
      RatisInternals.method(
          "org.apache.ratis.server.impl.RaftServerImpl",
          "changeToCandidate",
          "elections start on Ratis's own timer, which may notice a dead leader up to one election"
              + " timeout later",
          boolean.class);

  private final String nodeId;
  private final Supplier<Optional<RaftServer.Division>> division;
  private final BooleanSupplier electionsPaused;
  private final long minMs;
  private final long maxMs;
  private final long stepDownWaitNanos;
  private final long lateNanos;
  private final Thread thread;
  private final AtomicLong started = new AtomicLong();
  private volatile long startedAt = System.nanoTime();
  private volatile long steppedDownAt;
  private volatile boolean closed;

  ElectionTimer(
      String nodeId,
      Supplier<Optional<RaftServer.Division>> division,
      BooleanSupplier electionsPaused,
      long minMs,
      long maxMs,
      long stepDownWaitMs) {
    this.nodeId = nodeId;
    this.division = division;
    this.electionsPaused = electionsPaused;
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.stepDownWaitNanos = TimeUnit.MILLISECONDS.toNanos(stepDownWaitMs);
    this.lateNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, minMs / 2)); // a heartbeat interval
    this.steppedDownAt = System.nanoTime() - stepDownWaitNanos; // never stepped down
    this.thread = new Thread(this::run, "baton-election-timer-" + nodeId);
    thread.setDaemon(true);
  }

  /** Whether this Ratis version has the method the timer starts elections with. */
  static boolean supported() {
    return CHANGE_TO_CANDIDATE.isPresent();
  }

  /**
   * Whether nodes run the timer: on unless the system property {@code baton.electionTimer} is
   * {@code false}, which leaves detection to Ratis's own timer (for comparing the two).
   */
  static boolean enabled() {
    return !"false".equals(System.getProperty("baton.electionTimer"));
  }

  void start() {
    if (supported() && enabled()) {
      startedAt = System.nanoTime();
      thread.start();
    }
  }

  /** This node stepped down as leader: stay out of elections for the step-down wait, as Ratis. */
  void steppedDown() {
    steppedDownAt = System.nanoTime();
  }

  /** How many elections this timer started. */
  long electionsStarted() {
    return started.get();
  }

  private void run() {
    long timeoutMs = draw();
    long lastElapsedMs = Long.MAX_VALUE;
    while (!closed) {
      Optional<Long> silence = silenceMs();
      if (silence.isEmpty()) {
        timeoutMs = draw();
        lastElapsedMs = Long.MAX_VALUE;
        park(minMs / 2);
        continue;
      }
      long elapsedMs = silence.get();
      if (elapsedMs < lastElapsedMs) {
        timeoutMs = draw(); // the leader spoke, or the role changed, since the last look
      }
      lastElapsedMs = elapsedMs;
      if (elapsedMs < timeoutMs) {
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs - elapsedMs);
        park(timeoutMs - elapsedMs);
        if (System.nanoTime() - due > lateNanos) {
          // This thread ran far later than asked: the JVM or the machine stalled, and the leader's
          // heartbeats may be sitting unread in this node's sockets. Look again before judging.
          lastElapsedMs = Long.MAX_VALUE;
          timeoutMs = draw();
        }
        continue;
      }
      if (!electionsPaused.getAsBoolean() && !steppedDownRecently()) {
        startElection(timeoutMs);
      }
      timeoutMs = draw();
      lastElapsedMs = Long.MAX_VALUE;
      park(1);
    }
  }

  /**
   * How long this node, a running follower with no append or snapshot install in progress, has
   * heard nothing: from its leader if it knows one, else since it became a follower (or since this
   * timer started, if later). Empty if it is not such a follower.
   */
  private Optional<Long> silenceMs() {
    Optional<RaftServer.Division> d = division.get();
    if (d.isEmpty()) {
      return Optional.empty();
    }
    DivisionInfo info = d.get().getInfo();
    if (!info.isFollower() || info.getLifeCycleState() != LifeCycle.State.RUNNING) {
      return Optional.empty();
    }
    RoleInfoProto role = info.getRoleInfoProto();
    if (!role.hasFollowerInfo() || role.getFollowerInfo().getOutstandingOp() != 0) {
      return Optional.empty();
    }
    if (role.getFollowerInfo().getLeaderInfo().hasId()) {
      return Optional.of(role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs());
    }
    long sinceStartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    return Optional.of(Math.min(role.getRoleElapsedTimeMs(), sinceStartMs));
  }

  private boolean steppedDownRecently() {
    return System.nanoTime() - steppedDownAt < stepDownWaitNanos;
  }

  private void startElection(long timeoutMs) {
    Optional<RaftServer.Division> d = division.get();
    if (d.isEmpty()) {
      return;
    }
    RaftServer.Division server = d.get();
    // Peers that were down when this node last called them may be up now; without this, gRPC
    // would fail the vote requests at once until its reconnect back-off ran out (PeerChannels).
    PeerChannels.reconnectNow(server);
    synchronized (server) {
      Optional<Long> silence = silenceMs();
      if (silence.isEmpty() || silence.get() < timeoutMs) {
        return; // the leader spoke, a candidate asked for this vote, or an append arrived
      }
      LOG.info(
          "Node {} heard nothing from {} for {} ms (timeout {} ms); starting an election",
          nodeId,
          server.getInfo().getLeaderId() == null ? "any leader" : "its leader",
          silence.get(),
          timeoutMs);
      try {
        CHANGE_TO_CANDIDATE.orElseThrow().invoke(server, false);
        started.incrementAndGet();
      } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
        LOG.warn("Node {} could not start an election: {}", nodeId, e.toString());
      }
    }
  }

  private long draw() {
    return ThreadLocalRandom.current().nextLong(minMs, maxMs + 1);
  }

  private static void park(long ms) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, ms)));
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
