package io.baton.examples.fleet;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.baton.codec.ProtobufCodec;
import io.baton.examples.fleet.proto.AckAlert;
import io.baton.examples.fleet.proto.Area;
import io.baton.examples.fleet.proto.DefineGeofence;
import io.baton.examples.fleet.proto.FleetCommand;
import io.baton.examples.fleet.proto.FleetQuery;
import io.baton.examples.fleet.proto.FleetReply;
import io.baton.examples.fleet.proto.Geofence;
import io.baton.examples.fleet.proto.InArea;
import io.baton.examples.fleet.proto.Position;
import io.baton.examples.fleet.proto.ReportPosition;
import io.baton.examples.fleet.proto.StoredAlert;
import io.baton.statemachine.Codec;
import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Vehicle telematics: vehicles report positions, operators ask where a vehicle is and which
 * vehicles are in an area, and geofences raise alerts when a vehicle enters them. Commands, queries
 * and replies are the protobuf messages of {@code fleet.proto}; {@link FleetClient} wraps them in a
 * typed API.
 *
 * <p>State, by keyspace:
 *
 * <ul>
 *   <li>{@value #POSITIONS}: vehicle id (UTF-8) → its last {@link Position};
 *   <li>{@value #GRID}: grid cell (4-byte row, 4-byte column, big-endian) + vehicle id → {@link
 *       Position}, a spatial index: an area query scans one key range per covered row of cells
 *       instead of every vehicle. Cells are {@value #CELL_DEGREES}° square; the cell size is part
 *       of the stored format;
 *   <li>{@value #GEOFENCES}: name (UTF-8) → {@link Geofence};
 *   <li>{@value #ALERTS}: alert id (the {@link Command#id() command id} of the report that raised
 *       it, 8 bytes big-endian) → {@link StoredAlert}, pending until acknowledged. Using the
 *       command id makes the key the same on every replica and orders alerts as they were raised.
 * </ul>
 *
 * <p>Every report checks every geofence, which suits the tens to thousands of geofences such a
 * system has; more would call for indexing geofences by cell too. Timestamps come from the
 * reporting client: {@code apply} never reads a clock. Stateless and thread-safe.
 */
public final class FleetStateMachine implements StateMachine {
  /** Keyspace of last positions by vehicle id. */
  public static final String POSITIONS = "positions";

  /** Keyspace of the grid index: cell + vehicle id. */
  public static final String GRID = "grid";

  /** Keyspace of geofences by name. */
  public static final String GEOFENCES = "geofences";

  /** Keyspace of pending alerts by id. */
  public static final String ALERTS = "alerts";

  /** The side of a grid cell, in degrees (about 11 km of latitude). */
  public static final double CELL_DEGREES = 0.1;

  /** The largest limit of an area or alert query; bounds the size of one reply. */
  public static final int MAX_LIMIT = 10_000;

  /** The longest vehicle id or geofence name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 256;

  /**
   * Areas covering more cells than this are answered by scanning every position instead: beyond it,
   * one range scan per row of cells costs more than reading all vehicles of a modest fleet.
   */
  static final int MAX_GRID_CELLS = 10_000;

  static final int DEFAULT_AREA_LIMIT = 1000;
  static final int DEFAULT_ALERT_LIMIT = 100;

  /** The codec of commands. */
  public static final Codec<FleetCommand> COMMANDS = ProtobufCodec.of(FleetCommand.parser());

  /** The codec of queries. */
  public static final Codec<FleetQuery> QUERIES = ProtobufCodec.of(FleetQuery.parser());

  /** The codec of replies. */
  public static final Codec<FleetReply> REPLIES = ProtobufCodec.of(FleetReply.parser());

  @Override
  public Set<String> keyspaces() {
    return Set.of(POSITIONS, GRID, GEOFENCES, ALERTS);
  }

  @Override
  public void validate(byte[] command) {
    String problem = problem(COMMANDS.decode(command));
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code c} cannot be applied, or null if it can. */
  static String problem(FleetCommand c) {
    switch (c.getOpCase()) {
      case REPORT:
        ReportPosition r = c.getReport();
        String p = nameProblem("vehicle_id", r.getVehicleId());
        if (p == null) {
          p = pointProblem(r.getLat(), r.getLon());
        }
        if (p == null && r.getReportedAtMillis() < 0) {
          p = "reported_at_millis (" + r.getReportedAtMillis() + ") must be >= 0";
        }
        return p == null ? null : "fleet report: " + p;
      case DEFINE_GEOFENCE:
        DefineGeofence d = c.getDefineGeofence();
        p = nameProblem("geofence name", d.getName());
        if (p == null) {
          p = d.hasArea() ? areaProblem(d.getArea()) : "area is required";
        }
        return p == null ? null : "fleet geofence: " + p;
      case REMOVE_GEOFENCE:
        p = nameProblem("geofence name", c.getRemoveGeofence().getName());
        return p == null ? null : "fleet remove geofence: " + p;
      case ACK_ALERT:
        return c.getAckAlert().getAlertId() == 0 ? "fleet ack: alert_id must be set" : null;
      default:
        // An unknown operation parses as OP_NOT_SET, its field kept as an unknown field.
        return "fleet command has no operation this version knows (empty, or from a newer client)";
    }
  }

  private static String nameProblem(String what, String name) {
    if (name.isEmpty()) {
      return what + " must not be empty";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      return what + " is " + bytes + " bytes long, more than " + MAX_NAME_BYTES;
    }
    return null;
  }

  private static String pointProblem(double lat, double lon) {
    if (!(lat >= -90 && lat <= 90)) {
      return "lat (" + lat + ") must be between -90 and 90";
    }
    if (!(lon >= -180 && lon <= 180)) {
      return "lon (" + lon + ") must be between -180 and 180";
    }
    return null;
  }

  private static String areaProblem(Area a) {
    String p = pointProblem(a.getMinLat(), a.getMinLon());
    if (p == null) {
      p = pointProblem(a.getMaxLat(), a.getMaxLon());
    }
    if (p == null && a.getMinLat() > a.getMaxLat()) {
      p = "min_lat (" + a.getMinLat() + ") must be <= max_lat (" + a.getMaxLat() + ")";
    }
    if (p == null && a.getMinLon() > a.getMaxLon()) {
      p =
          "min_lon ("
              + a.getMinLon()
              + ") must be <= max_lon ("
              + a.getMaxLon()
              + "); areas crossing the antimeridian are not supported";
    }
    return p;
  }

  @Override
  public byte[] apply(Command command, StateWriter state) {
    FleetCommand c = COMMANDS.decode(command.bytes());
    String problem = problem(c);
    if (problem != null) {
      // validate() refused this on the leader, so only a leader running another version can have
      // logged it. A reply is deterministic on every replica; throwing would halt all of them.
      return FleetReply.newBuilder().setError(problem).build().toByteArray();
    }
    FleetReply.Builder reply = FleetReply.newBuilder();
    switch (c.getOpCase()) {
      case REPORT:
        report(c.getReport(), command.id(), state, reply);
        break;
      case DEFINE_GEOFENCE:
        DefineGeofence d = c.getDefineGeofence();
        byte[] name = Keys.utf8(d.getName());
        reply.setOk(true).setFound(state.get(GEOFENCES, name) != null);
        state.put(
            GEOFENCES,
            name,
            Geofence.newBuilder().setName(d.getName()).setArea(d.getArea()).build().toByteArray());
        break;
      case REMOVE_GEOFENCE:
        name = Keys.utf8(c.getRemoveGeofence().getName());
        reply.setOk(true).setFound(state.get(GEOFENCES, name) != null);
        state.delete(GEOFENCES, name);
        break;
      default:
        AckAlert ack = c.getAckAlert();
        byte[] id = Keys.longBytes(ack.getAlertId());
        reply.setOk(true).setFound(state.get(ALERTS, id) != null);
        state.delete(ALERTS, id);
        break;
    }
    return reply.build().toByteArray();
  }

  private static void report(
      ReportPosition r, long commandId, StateWriter state, FleetReply.Builder reply) {
    byte[] vehicle = Keys.utf8(r.getVehicleId());
    byte[] oldBytes = state.get(POSITIONS, vehicle);
    Position old = oldBytes == null ? null : parse(Position.parser(), oldBytes);
    if (old != null && r.getReportedAtMillis() < old.getReportedAtMillis()) {
      reply.setError(
          "ignored: reported at "
              + r.getReportedAtMillis()
              + ", before the stored position ("
              + old.getReportedAtMillis()
              + ")");
      return;
    }
    Position now =
        Position.newBuilder()
            .setVehicleId(r.getVehicleId())
            .setLat(r.getLat())
            .setLon(r.getLon())
            .setReportedAtMillis(r.getReportedAtMillis())
            .setCommandId(commandId)
            .build();
    byte[] nowBytes = now.toByteArray();
    if (old != null) {
      state.delete(GRID, gridKey(old.getLat(), old.getLon(), vehicle));
    }
    state.put(POSITIONS, vehicle, nowBytes);
    state.put(GRID, gridKey(now.getLat(), now.getLon(), vehicle), nowBytes);

    List<String> entered = new ArrayList<>();
    state.scan(
        GEOFENCES,
        null,
        null,
        (k, v) -> {
          Area area = parse(Geofence.parser(), v).getArea();
          if (contains(area, now.getLat(), now.getLon())
              && (old == null || !contains(area, old.getLat(), old.getLon()))) {
            entered.add(Keys.utf8(k));
          }
          return true;
        });
    reply.setOk(true).addAllEntered(entered);
    if (!entered.isEmpty()) {
      StoredAlert alert =
          StoredAlert.newBuilder()
              .setId(commandId)
              .setVehicleId(r.getVehicleId())
              .addAllGeofences(entered)
              .setLat(r.getLat())
              .setLon(r.getLon())
              .setReportedAtMillis(r.getReportedAtMillis())
              .build();
      state.put(ALERTS, Keys.longBytes(commandId), alert.toByteArray());
      reply.setAlertId(commandId);
    }
  }

  @Override
  public byte[] query(byte[] query, StateReader state) {
    FleetQuery q = QUERIES.decode(query);
    switch (q.getOpCase()) {
      case WHERE:
        String p = nameProblem("vehicle_id", q.getWhere().getVehicleId());
        if (p != null) {
          throw new IllegalArgumentException("fleet where: " + p);
        }
        byte[] position = state.get(POSITIONS, Keys.utf8(q.getWhere().getVehicleId()));
        FleetReply.Builder reply = FleetReply.newBuilder().setOk(true);
        if (position != null) {
          reply.setFound(true).setPosition(parse(Position.parser(), position));
        }
        return reply.build().toByteArray();
      case IN_AREA:
        return inArea(q.getInArea(), state);
      case PENDING_ALERTS:
        int limit = limit(q.getPendingAlerts().getLimit(), DEFAULT_ALERT_LIMIT, "fleet alerts");
        FleetReply.Builder alerts = FleetReply.newBuilder().setOk(true);
        state.scan(
            ALERTS,
            null,
            null,
            (k, v) -> {
              if (alerts.getAlertsCount() == limit) {
                alerts.setMore(true);
                return false;
              }
              alerts.addAlerts(parse(StoredAlert.parser(), v));
              return true;
            });
        return alerts.build().toByteArray();
      default:
        throw new IllegalArgumentException(
            "fleet query has no operation this version knows (empty, or from a newer client)");
    }
  }

  private static byte[] inArea(InArea q, StateReader state) {
    if (!q.hasArea()) {
      throw new IllegalArgumentException("fleet area: area is required");
    }
    Area area = q.getArea();
    String p = areaProblem(area);
    if (p != null) {
      throw new IllegalArgumentException("fleet area: " + p);
    }
    int limit = limit(q.getLimit(), DEFAULT_AREA_LIMIT, "fleet area");
    FleetReply.Builder reply = FleetReply.newBuilder().setOk(true);
    StateReader.EntryVisitor collect =
        (k, v) -> {
          Position pos = parse(Position.parser(), v);
          if (!contains(area, pos.getLat(), pos.getLon())) {
            return true;
          }
          if (reply.getPositionsCount() == limit) {
            reply.setMore(true);
            return false;
          }
          reply.addPositions(pos);
          return true;
        };
    int row1 = row(area.getMinLat());
    int row2 = row(area.getMaxLat());
    int col1 = column(area.getMinLon());
    int col2 = column(area.getMaxLon());
    if ((long) (row2 - row1 + 1) * (col2 - col1 + 1) > MAX_GRID_CELLS) {
      state.scan(POSITIONS, null, null, collect);
      return reply.build().toByteArray();
    }
    // Keys sort by row, then column, so the covered cells of one row form one key range.
    for (int row = row1; row <= row2 && !reply.getMore(); row++) {
      state.scan(GRID, cellKey(row, col1), cellKey(row, col2 + 1), collect);
    }
    return reply.build().toByteArray();
  }

  private static int limit(int requested, int defaultLimit, String what) {
    int limit = requested == 0 ? defaultLimit : requested;
    if (limit < 0 || limit > MAX_LIMIT) {
      // A uint32 above Integer.MAX_VALUE arrives negative.
      throw new IllegalArgumentException(
          what + ": limit (" + Integer.toUnsignedString(requested) + ") must be 1 to " + MAX_LIMIT);
    }
    return limit;
  }

  /** Whether {@code area} contains the point, edges included. */
  static boolean contains(Area area, double lat, double lon) {
    return lat >= area.getMinLat()
        && lat <= area.getMaxLat()
        && lon >= area.getMinLon()
        && lon <= area.getMaxLon();
  }

  // Both are monotonic in their argument, so a point inside an area lies in a cell between the
  // cells of the area's corners.
  static int row(double lat) {
    return (int) Math.floor((lat + 90) / CELL_DEGREES);
  }

  static int column(double lon) {
    return (int) Math.floor((lon + 180) / CELL_DEGREES);
  }

  private static byte[] cellKey(int row, int column) {
    return ByteBuffer.allocate(8).putInt(row).putInt(column).array();
  }

  static byte[] gridKey(double lat, double lon, byte[] vehicle) {
    return Keys.concat(cellKey(row(lat), column(lon)), vehicle);
  }

  private static <T extends MessageLite> T parse(Parser<T> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      // Only this class writes these values, so an unreadable one means damaged storage.
      throw new IllegalStateException("stored fleet record does not parse", e);
    }
  }
}
