package io.baton.examples.fleet;

import io.baton.BatonClient;
import io.baton.statemachine.Role;
import io.baton.statemachine.RoleChange;
import io.baton.statemachine.RoleListener;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's leader-only duty: dispatches pending geofence alerts to a sink (a pager, a message
 * queue; by default a log line) and acknowledges them. Register it on every node with {@link
 * io.baton.BatonNode.Builder#addRoleListener}; it works only while its node is the leader, so
 * alerts are dispatched by one node at a time and the duty moves to the new leader on failover.
 *
 * <p>While its node leads, a background thread polls the pending alerts through a {@link
 * BatonClient} (a linearizable query, which that leader answers), passes each to the sink in the
 * order they were raised, then submits an acknowledgement that deletes it. On any other role the
 * thread stops.
 *
 * <p>Dispatch is <b>at least once</b>. The sink is called before the acknowledgement is committed,
 * and the two cannot be made atomic: if the leader dies, or loses leadership, after the sink ran
 * and before the acknowledgement was committed, the alert is still pending in the replicated state
 * and the next leader dispatches it again. The same happens when an acknowledgement times out.
 * Sinks should therefore tolerate duplicates, for example by de-duplicating on {@link Alert#id()},
 * which is the same on every replica. (Acknowledging first would make dispatch at most once
 * instead: an alert acknowledged by a leader that then died before calling the sink would be lost.)
 *
 * <p>Thread-safe. A sink that throws stops the current round; the alert is retried at the next
 * poll.
 */
public final class GeofenceAlertDispatcher implements RoleListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GeofenceAlertDispatcher.class);

  /** The default pause between polls of the pending alerts. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

  private static final int BATCH = 100;

  private final FleetClient fleet;
  private final Consumer<Alert> sink;
  private final Duration pollInterval;
  private final AtomicLong dispatched = new AtomicLong();

  private ScheduledExecutorService worker; // guarded by this
  private boolean closed; // guarded by this

  /** A dispatcher that logs each alert, polling every {@link #DEFAULT_POLL_INTERVAL}. */
  public GeofenceAlertDispatcher(BatonClient client) {
    this(client, logSink(), DEFAULT_POLL_INTERVAL);
  }

  /**
   * A dispatcher passing alerts to {@code sink}.
   *
   * @param client a client of the node's cluster; not owned, close it yourself after this
   * @param sink receives each alert, on the dispatcher's thread; called at least once per alert
   * @param pollInterval the pause between polls while no alert is pending (at least 1 ms)
   */
  public GeofenceAlertDispatcher(BatonClient client, Consumer<Alert> sink, Duration pollInterval) {
    this.fleet = new FleetClient(client);
    this.sink = Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval (" + pollInterval + ") must be >= 1 ms");
    }
    this.pollInterval = pollInterval;
  }

  /** A sink that writes one log line per alert. */
  public static Consumer<Alert> logSink() {
    return a ->
        LOG.info(
            "ALERT {}: vehicle {} entered {} at ({}, {}), reported at {}",
            a.id(),
            a.vehicleId(),
            String.join(", ", a.geofences()),
            a.lat(),
            a.lon(),
            a.reportedAt());
  }

  /** Starts dispatching when this node becomes the leader; stops on any other role. */
  @Override
  public void onRoleChange(RoleChange change) {
    if (change.role() == Role.LEADER) {
      start();
    } else {
      stop();
    }
  }

  /** Whether the dispatch thread is running, that is, whether this node leads. */
  public synchronized boolean isRunning() {
    return worker != null;
  }

  /** How many alerts this dispatcher passed to its sink since it was created. */
  public long dispatchedCount() {
    return dispatched.get();
  }

  private synchronized void start() {
    if (closed || worker != null) {
      return;
    }
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "geofence-alert-dispatcher");
              t.setDaemon(true);
              return t;
            });
    // Each round handles its own failures (see dispatchPending), so the periodic future carries
    // nothing to observe; the task ends when the executor is shut down on the next role change.
    var unused =
        executor.scheduleWithFixedDelay(
            this::dispatchPending, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    worker = executor;
    LOG.info("this node leads: dispatching geofence alerts");
  }

  private void stop() {
    ScheduledExecutorService w;
    synchronized (this) {
      w = worker;
      worker = null;
    }
    if (w == null) {
      return;
    }
    w.shutdownNow();
    try {
      // Waiting keeps two rounds from overlapping if leadership comes straight back; a round
      // blocked in the client ends at its request timeout at the latest.
      if (!w.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("alert dispatch round still running 5 s after this node stopped leading");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("this node no longer leads: stopped dispatching geofence alerts");
  }

  /**
   * One round: dispatches and acknowledges pending alerts until none is left or the round fails.
   */
  private void dispatchPending() {
    try {
      List<Alert> alerts;
      do {
        alerts = fleet.pendingAlerts(BATCH);
        for (Alert alert : alerts) {
          if (Thread.currentThread().isInterrupted()) {
            return;
          }
          sink.accept(alert);
          dispatched.incrementAndGet();
          fleet.ack(alert.id());
        }
      } while (alerts.size() == BATCH);
    } catch (RuntimeException e) {
      // The executor would silently cancel the schedule if this escaped. The alert stays pending
      // and the next round, on this leader or the next, dispatches it again.
      if (!Thread.currentThread().isInterrupted()) {
        LOG.warn("alert dispatch round failed; retrying in {} ms", pollInterval.toMillis(), e);
      }
    }
  }

  /** Stops dispatching for good, whatever the role. Does not close the client. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    stop();
  }
}
