package io.baton.examples.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.examples.StoreReplica;
import io.baton.examples.fleet.proto.AckAlert;
import io.baton.examples.fleet.proto.Area;
import io.baton.examples.fleet.proto.DefineGeofence;
import io.baton.examples.fleet.proto.FleetCommand;
import io.baton.examples.fleet.proto.FleetQuery;
import io.baton.examples.fleet.proto.FleetReply;
import io.baton.examples.fleet.proto.InArea;
import io.baton.examples.fleet.proto.PendingAlerts;
import io.baton.examples.fleet.proto.Position;
import io.baton.examples.fleet.proto.RemoveGeofence;
import io.baton.examples.fleet.proto.ReportPosition;
import io.baton.examples.fleet.proto.StoredAlert;
import io.baton.examples.fleet.proto.Where;
import io.baton.testing.DeterminismCheck;
import io.baton.testing.DeterminismReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FleetStateMachineTest {
  @TempDir Path dir;
  private final FleetStateMachine fleet = new FleetStateMachine();
  private StoreReplica replica;

  @BeforeEach
  void open() {
    replica = new StoreReplica(fleet, dir);
  }

  @AfterEach
  void close() {
    replica.close();
  }

  private FleetReply submit(FleetCommand command) {
    return FleetStateMachine.REPLIES.decode(replica.submit(command.toByteArray()));
  }

  private FleetReply report(String vehicle, double lat, double lon, long at) {
    return submit(FleetCommand.newBuilder().setReport(reportOf(vehicle, lat, lon, at)).build());
  }

  private static ReportPosition reportOf(String vehicle, double lat, double lon, long at) {
    return ReportPosition.newBuilder()
        .setVehicleId(vehicle)
        .setLat(lat)
        .setLon(lon)
        .setReportedAtMillis(at)
        .build();
  }

  private static Area area(double minLat, double minLon, double maxLat, double maxLon) {
    return Area.newBuilder()
        .setMinLat(minLat)
        .setMinLon(minLon)
        .setMaxLat(maxLat)
        .setMaxLon(maxLon)
        .build();
  }

  private FleetReply defineGeofence(String name, Area area) {
    return submit(
        FleetCommand.newBuilder()
            .setDefineGeofence(DefineGeofence.newBuilder().setName(name).setArea(area))
            .build());
  }

  private FleetReply ack(long id) {
    return submit(
        FleetCommand.newBuilder().setAckAlert(AckAlert.newBuilder().setAlertId(id)).build());
  }

  private FleetReply query(FleetQuery query) {
    return FleetStateMachine.REPLIES.decode(replica.query(query.toByteArray()));
  }

  private FleetReply where(String vehicle) {
    return query(
        FleetQuery.newBuilder().setWhere(Where.newBuilder().setVehicleId(vehicle)).build());
  }

  private FleetReply inArea(Area area) {
    return query(FleetQuery.newBuilder().setInArea(InArea.newBuilder().setArea(area)).build());
  }

  private FleetReply pendingAlerts() {
    return query(
        FleetQuery.newBuilder().setPendingAlerts(PendingAlerts.getDefaultInstance()).build());
  }

  private int gridEntries() {
    AtomicInteger n = new AtomicInteger();
    replica
        .reader()
        .scan(
            FleetStateMachine.GRID,
            null,
            null,
            (k, v) -> {
              n.incrementAndGet();
              return true;
            });
    return n.get();
  }

  @Test
  void where_afterReport_returnsStoredPositionWithItsLogIndex() {
    report("truck-1", 51.5074, -0.1278, 1_000);

    FleetReply reply = where("truck-1");

    assertThat(reply.getFound()).isTrue();
    Position p = reply.getPosition();
    assertThat(p.getLat()).isEqualTo(51.5074);
    assertThat(p.getLon()).isEqualTo(-0.1278);
    assertThat(p.getReportedAtMillis()).isEqualTo(1_000);
    assertThat(p.getCommandId()).isEqualTo(replica.lastCommandId());
  }

  @Test
  void where_unknownVehicle_notFound() {
    assertThat(where("nobody").getFound()).isFalse();
  }

  @Test
  void report_olderThanStoredPosition_isIgnored() {
    report("truck-1", 10, 10, 2_000);

    FleetReply reply = report("truck-1", 20, 20, 1_000);

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).contains("before the stored position");
    assertThat(where("truck-1").getPosition().getLat()).isEqualTo(10);
  }

  @Test
  void inArea_spanningSeveralCells_findsExactlyTheVehiclesInside() {
    // Cells are 0.1 degrees: these three lie in different cells, the fourth far away.
    report("a", 51.51, -0.12, 1);
    report("b", 51.55, -0.05, 1);
    report("c", 51.61, 0.03, 1);
    report("d", 48.85, 2.35, 1);

    FleetReply wide = inArea(area(51.50, -0.20, 51.70, 0.10));
    FleetReply narrow = inArea(area(51.50, -0.20, 51.56, -0.04));

    assertThat(wide.getPositionsList())
        .extracting(Position::getVehicleId)
        .containsExactlyInAnyOrder("a", "b", "c");
    assertThat(narrow.getPositionsList())
        .extracting(Position::getVehicleId)
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void inArea_edgesIncluded() {
    report("edge", 51.5, -0.1, 1);

    assertThat(inArea(area(51.5, -0.1, 51.6, 0.0)).getPositionsCount()).isEqualTo(1);
    assertThat(inArea(area(51.4, -0.2, 51.5, -0.1)).getPositionsCount()).isEqualTo(1);
  }

  @Test
  void inArea_coveringMoreCellsThanTheGridLimit_scansAllPositionsWithTheSameAnswer() {
    report("a", 51.51, -0.12, 1);
    report("d", 48.85, 2.35, 1);
    report("s", -33.87, 151.21, 1);

    FleetReply world = inArea(area(-90, -180, 90, 180));
    FleetReply europe = inArea(area(40, -10, 60, 20));

    assertThat(world.getPositionsList())
        .extracting(Position::getVehicleId)
        .containsExactlyInAnyOrder("a", "d", "s");
    assertThat(europe.getPositionsList())
        .extracting(Position::getVehicleId)
        .containsExactlyInAnyOrder("a", "d");
  }

  @Test
  void inArea_limit_cutsShortAndSaysMore() {
    for (int i = 0; i < 5; i++) {
      report("v" + i, 10 + i * 0.3, 10, 1);
    }

    FleetReply reply =
        query(
            FleetQuery.newBuilder()
                .setInArea(InArea.newBuilder().setArea(area(9, 9, 12, 11)).setLimit(3))
                .build());

    assertThat(reply.getPositionsCount()).isEqualTo(3);
    assertThat(reply.getMore()).isTrue();
  }

  @Test
  void report_movingVehicle_leavesOneGridEntryAtTheNewPlace() {
    report("a", 51.51, -0.12, 1);
    report("a", 48.85, 2.35, 2);

    assertThat(inArea(area(51.0, -1.0, 52.0, 1.0)).getPositionsList()).isEmpty();
    assertThat(inArea(area(48.0, 2.0, 49.0, 3.0)).getPositionsList())
        .extracting(Position::getVehicleId)
        .containsExactly("a");
    assertThat(gridEntries()).isEqualTo(1);
  }

  @Test
  void report_enteringGeofence_raisesExactlyOneAlertKeyedByCommandId() {
    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));
    report("truck-1", 51.0, 0.0, 1);

    FleetReply entering = report("truck-1", 51.51, -0.12, 2);
    long id = replica.lastCommandId();
    FleetReply stayingInside = report("truck-1", 51.515, -0.125, 3);

    assertThat(entering.getEnteredList()).containsExactly("depot");
    assertThat(entering.getAlertId()).isEqualTo(id);
    assertThat(stayingInside.getEnteredList()).isEmpty();
    assertThat(stayingInside.getAlertId()).isZero();
    assertThat(pendingAlerts().getAlertsList())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getId()).isEqualTo(id);
              assertThat(a.getVehicleId()).isEqualTo("truck-1");
              assertThat(a.getGeofencesList()).containsExactly("depot");
              assertThat(a.getReportedAtMillis()).isEqualTo(2);
            });
  }

  @Test
  void report_firstReportInsideGeofences_raisesOneAlertNamingEach() {
    defineGeofence("city", area(51.0, -1.0, 52.0, 1.0));
    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));

    report("truck-1", 51.51, -0.12, 1);

    assertThat(pendingAlerts().getAlertsList())
        .singleElement()
        .satisfies(a -> assertThat(a.getGeofencesList()).containsExactly("city", "depot"));
  }

  @Test
  void report_leavingAndReentering_raisesASecondAlert() {
    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));
    report("truck-1", 51.51, -0.12, 1);
    report("truck-1", 51.0, 0.0, 2);
    report("truck-1", 51.51, -0.12, 3);

    assertThat(pendingAlerts().getAlertsList())
        .extracting(StoredAlert::getReportedAtMillis)
        .containsExactly(1L, 3L);
  }

  @Test
  void defineGeofence_aroundVehicleAlreadyInside_raisesNoAlert() {
    report("truck-1", 51.51, -0.12, 1);

    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));
    report("truck-1", 51.511, -0.121, 2);

    assertThat(pendingAlerts().getAlertsList()).isEmpty();
  }

  @Test
  void removeGeofence_stopsAlerts() {
    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));

    FleetReply removed =
        submit(
            FleetCommand.newBuilder()
                .setRemoveGeofence(RemoveGeofence.newBuilder().setName("depot"))
                .build());
    report("truck-1", 51.51, -0.12, 1);

    assertThat(removed.getFound()).isTrue();
    assertThat(pendingAlerts().getAlertsList()).isEmpty();
  }

  @Test
  void ack_pendingAlert_deletesItAndIsIdempotent() {
    defineGeofence("depot", area(51.50, -0.13, 51.52, -0.11));
    long id = report("truck-1", 51.51, -0.12, 1).getAlertId();

    FleetReply first = ack(id);
    FleetReply second = ack(id);

    assertThat(first.getFound()).isTrue();
    assertThat(second.getOk()).isTrue();
    assertThat(second.getFound()).isFalse();
    assertThat(pendingAlerts().getAlertsList()).isEmpty();
  }

  @Test
  void validate_badReports_rejectedWithTheReason() {
    assertThatThrownBy(() -> validate(reportOf("t", 91, 0, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fleet report: lat (91.0) must be between -90 and 90");
    assertThatThrownBy(() -> validate(reportOf("t", 0, Double.NaN, 1)))
        .hasMessage("fleet report: lon (NaN) must be between -180 and 180");
    assertThatThrownBy(() -> validate(reportOf("", 0, 0, 1)))
        .hasMessage("fleet report: vehicle_id must not be empty");
    assertThatThrownBy(() -> validate(reportOf("t", 0, 0, -5)))
        .hasMessage("fleet report: reported_at_millis (-5) must be >= 0");
    assertThatThrownBy(() -> validate(reportOf("x".repeat(300), 0, 0, 1)))
        .hasMessage("fleet report: vehicle_id is 300 bytes long, more than 256");
  }

  private void validate(ReportPosition report) {
    fleet.validate(FleetCommand.newBuilder().setReport(report).build().toByteArray());
  }

  @Test
  void validate_badGeofences_rejectedWithTheReason() {
    FleetCommand crossing =
        FleetCommand.newBuilder()
            .setDefineGeofence(
                DefineGeofence.newBuilder().setName("pacific").setArea(area(0, 170, 10, -170)))
            .build();
    FleetCommand noArea =
        FleetCommand.newBuilder()
            .setDefineGeofence(DefineGeofence.newBuilder().setName("nowhere"))
            .build();

    assertThatThrownBy(() -> fleet.validate(crossing.toByteArray()))
        .hasMessageContaining("min_lon (170.0) must be <= max_lon (-170.0)")
        .hasMessageContaining("antimeridian");
    assertThatThrownBy(() -> fleet.validate(noArea.toByteArray()))
        .hasMessage("fleet geofence: area is required");
  }

  @Test
  void validate_malformedEmptyOrUnknown_rejected() {
    assertThatThrownBy(() -> fleet.validate(new byte[] {(byte) 0xFF, 0x01}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed protobuf message");
    assertThatThrownBy(() -> fleet.validate(new byte[0]))
        .hasMessageContaining("no operation this version knows");
    assertThatThrownBy(() -> fleet.validate(new byte[] {(byte) ((12 << 3) | 2), 0}))
        .hasMessageContaining("no operation this version knows");
    assertThatThrownBy(
            () ->
                fleet.validate(
                    FleetCommand.newBuilder()
                        .setAckAlert(AckAlert.getDefaultInstance())
                        .build()
                        .toByteArray()))
        .hasMessage("fleet ack: alert_id must be set");
  }

  @Test
  void query_badArea_rejected() {
    assertThatThrownBy(() -> inArea(area(10, 0, 5, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fleet area: min_lat (10.0) must be <= max_lat (5.0)");
    assertThatThrownBy(
            () -> query(FleetQuery.newBuilder().setInArea(InArea.getDefaultInstance()).build()))
        .hasMessage("fleet area: area is required");
    assertThatThrownBy(() -> replica.query(new byte[0]))
        .hasMessageContaining("fleet query has no operation");
  }

  @Test
  void apply_generatedCommands_isDeterministic(@TempDir Path checkDir) {
    Random random = new Random(42);
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      FleetCommand.Builder c = FleetCommand.newBuilder();
      int kind = random.nextInt(10);
      if (kind < 6 || i % 50 == 49) {
        // Some reports arrive out of order and are ignored; every 50th is out of range.
        double lat = i % 50 == 49 ? 100 : 51 + random.nextDouble();
        long at = 1_000L * i + random.nextInt(5_000);
        c.setReport(reportOf("truck-" + random.nextInt(8), lat, random.nextDouble(), at));
      } else if (kind < 8) {
        double lat = 51 + random.nextDouble() * 0.8;
        double lon = random.nextDouble() * 0.8;
        c.setDefineGeofence(
            DefineGeofence.newBuilder()
                .setName("zone-" + random.nextInt(4))
                .setArea(area(lat, lon, lat + 0.2, lon + 0.2)));
      } else if (kind == 8) {
        c.setRemoveGeofence(RemoveGeofence.newBuilder().setName("zone-" + random.nextInt(4)));
      } else {
        // Alert ids are log indexes, so some of these acknowledge a pending alert.
        c.setAckAlert(AckAlert.newBuilder().setAlertId(1 + random.nextInt(i + 1)));
      }
      commands.add(c.build().toByteArray());
    }

    DeterminismReport result =
        DeterminismCheck.newBuilder(FleetStateMachine::new)
            .directory(checkDir)
            .build()
            .run(commands);

    result.assertDeterministic();
    assertThat(result.rejected())
        .hasSize(8)
        .allSatisfy((position, message) -> assertThat(message).contains("lat (100.0)"));
  }
}
