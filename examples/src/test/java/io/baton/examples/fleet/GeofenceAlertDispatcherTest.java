package io.baton.examples.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.statemachine.Role;
import io.baton.statemachine.RoleChange;
import io.baton.testing.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader-only alert duty on a real three-node cluster, across a failover. */
final class GeofenceAlertDispatcherTest {
  private static final Duration POLL = Duration.ofMillis(20);

  @TempDir Path dir;
  private LocalCluster cluster;
  private final Map<String, GeofenceAlertDispatcher> dispatchers = new LinkedHashMap<>();
  private final Map<String, List<Alert>> sinks = new LinkedHashMap<>();

  @AfterEach
  void close() {
    dispatchers.values().forEach(GeofenceAlertDispatcher::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private void startCluster() {
    cluster = LocalCluster.create(3, dir, id -> new FleetStateMachine(), b -> b);
    for (var peer : cluster.peers()) {
      String id = peer.id();
      List<Alert> sink = new CopyOnWriteArrayList<>();
      GeofenceAlertDispatcher d = new GeofenceAlertDispatcher(cluster.newClient(), sink::add, POLL);
      sinks.put(id, sink);
      dispatchers.put(id, d);
      cluster.roleListener(id, d);
    }
    cluster.startAll();
  }

  private List<String> running() {
    return dispatchers.entrySet().stream()
        .filter(e -> e.getValue().isRunning())
        .map(Map.Entry::getKey)
        .toList();
  }

  private List<Alert> dispatched() {
    return sinks.values().stream().flatMap(List::stream).toList();
  }

  @Test
  void leader_dispatchesAndAcknowledgesAlerts_andTheDutyMovesOnFailover() {
    startCluster();
    BatonNode leader = cluster.awaitLeader();
    cluster.await(
        "only the leader's dispatcher to run",
        LocalCluster.WAIT,
        () -> running().equals(List.of(leader.id())));
    BatonClient client = cluster.newClient();
    FleetClient fleet = new FleetClient(client);
    fleet.defineGeofence("depot", 51.50, -0.13, 51.52, -0.11);

    ReportResult entered = fleet.report("truck-1", 51.51, -0.12, Instant.ofEpochMilli(1_000));

    cluster.await(
        "the alert to be dispatched and acknowledged",
        LocalCluster.WAIT,
        () -> !dispatched().isEmpty() && fleet.pendingAlerts(10).isEmpty());
    assertThat(sinks.get(leader.id()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.id()).isEqualTo(entered.alertId());
              assertThat(a.vehicleId()).isEqualTo("truck-1");
              assertThat(a.geofences()).containsExactly("depot");
              assertThat(a.reportedAt()).isEqualTo(Instant.ofEpochMilli(1_000));
            });

    cluster.kill(leader.id());
    BatonNode next = cluster.awaitLeader();
    cluster.await(
        "the new leader's dispatcher to run",
        LocalCluster.WAIT,
        () -> running().equals(List.of(next.id())));
    ReportResult again = fleet.report("truck-2", 51.51, -0.12, Instant.ofEpochMilli(2_000));

    cluster.await(
        "the second alert to be dispatched by the new leader",
        LocalCluster.WAIT,
        () ->
            sinks.get(next.id()).stream().anyMatch(a -> a.id() == again.alertId())
                && fleet.pendingAlerts(10).isEmpty());
    assertThat(dispatched()).extracting(Alert::id).contains(entered.alertId(), again.alertId());
  }

  @Test
  void onRoleChange_followerAfterLeader_stopsTheThread() {
    startCluster();
    BatonNode leader = cluster.awaitLeader();
    GeofenceAlertDispatcher d = dispatchers.get(leader.id());
    cluster.await("the leader's dispatcher to run", LocalCluster.WAIT, d::isRunning);

    d.onRoleChange(new RoleChange(Role.FOLLOWER, 99, Optional.empty()));

    assertThat(d.isRunning()).isFalse();
  }

  @Test
  void close_thenLeader_doesNotStart() {
    startCluster();
    GeofenceAlertDispatcher d = dispatchers.values().iterator().next();
    d.close();

    d.onRoleChange(new RoleChange(Role.LEADER, 99, Optional.empty()));

    assertThat(d.isRunning()).isFalse();
  }
}
