package io.baton.internal.ratis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.protocol.exceptions.ChecksumException;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;

/*
 * Ratis keeps a group's log in <group>/current as segment files: closed ones named
 * log_<first>-<last> and at most one open one, log_inprogress_<first>. Every entry carries a
 * CRC32C. When Ratis loads the log at start-up (SegmentedRaftLog, LogSegment.loadSegment):
 *  - a segment's partial last entry (a torn write, or a truncated file) is dropped with a warning.
 *    In the open segment that is the tail a crash can leave, and the leader sends it again.
 *  - a checksum mismatch fails the start (raft.server.log.corruption.policy, default EXCEPTION);
 *  - a closed segment that ends early leaves a gap before the next segment, which fails the start.
 * Those failures name neither the file nor the remedy, so after a failed start Baton reads the
 * segments again itself to find the damaged one (findDamage).
 */
/** The Raft log's segment files in a Ratis group's {@code current} directory. Not API. */
final class RaftLogFiles {
  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final Pattern OPEN = Pattern.compile("log_inprogress_(\\d+)");

  private RaftLogFiles() {}

  /** A segment file; {@code last} is -1 for the open segment. */
  private record Segment(Path path, long first, long last) {
    boolean open() {
      return last < 0;
    }
  }

  /** The index of the first entry the log holds on disk, if it holds any. */
  static OptionalLong firstIndex(Path currentDir) throws IOException {
    List<Segment> segments = segments(currentDir);
    return segments.isEmpty() ? OptionalLong.empty() : OptionalLong.of(segments.get(0).first());
  }

  /**
   * Reads every segment as Ratis does at start-up and describes the first damage found: a file that
   * fails its checksums, a closed segment that ends early, or a gap between segments. A partial
   * last entry of the open segment is not damage: Ratis drops it and the leader sends it again.
   */
  static Optional<String> findDamage(Path currentDir, SizeInBytes maxEntrySize) throws IOException {
    Segment previous = null;
    long next = -1;
    for (Segment s : segments(currentDir)) {
      if (previous != null && s.first() != next) {
        return Optional.of(
            "Raft log segment "
                + s.path()
                + " starts at index "
                + s.first()
                + " but the segment before it, "
                + previous.path()
                + ", ends at index "
                + (next - 1)
                + ": the entries between are missing");
      }
      int read;
      try {
        read =
            LogSegment.readSegmentFile(
                s.path().toFile(),
                LogSegmentPath.matchLogSegment(s.path()).getStartEnd(),
                maxEntrySize,
                CorruptionPolicy.EXCEPTION,
                null,
                null);
      } catch (ChecksumException e) {
        return Optional.of(
            "Raft log segment "
                + s.path()
                + " is corrupt at byte "
                + e.getPos()
                + ": "
                + e.getMessage());
      } catch (IOException | RuntimeException e) {
        return Optional.of("Raft log segment " + s.path() + " cannot be read: " + e.getMessage());
      }
      if (!s.open() && read != s.last() - s.first() + 1) {
        return Optional.of(
            "Raft log segment "
                + s.path()
                + " is truncated: its name says it holds entries "
                + s.first()
                + " to "
                + s.last()
                + ", but only "
                + read
                + " can be read");
      }
      previous = s;
      next = s.first() + read;
    }
    return Optional.empty();
  }

  /** The segment files by first index. Empty open segments are skipped: Ratis deletes them. */
  private static List<Segment> segments(Path currentDir) throws IOException {
    List<Segment> segments = new ArrayList<>();
    if (!Files.isDirectory(currentDir)) {
      return segments;
    }
    try (Stream<Path> files = Files.list(currentDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        Matcher closed = CLOSED.matcher(name);
        Matcher open = OPEN.matcher(name);
        if (closed.matches()) {
          segments.add(
              new Segment(p, Long.parseLong(closed.group(1)), Long.parseLong(closed.group(2))));
        } else if (open.matches() && Files.size(p) > 0) {
          segments.add(new Segment(p, Long.parseLong(open.group(1)), -1));
        }
      }
    }
    segments.sort(Comparator.comparingLong(Segment::first));
    return segments;
  }
}
