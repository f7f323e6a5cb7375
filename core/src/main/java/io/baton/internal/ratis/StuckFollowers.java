package io.baton.internal.ratis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/*
 * A follower is stuck when the leader has committed entries it lacks (the index it is known to hold,
 * called its match index here, is below the leader's commit index), it answers the leader (a reply within answerWithin), and its match index
 * has not passed its highest value for stuckAfter while answering. A follower that does not answer
 * is down, not stuck: repairing replication to it would achieve nothing, and the time it spends
 * down does not count, so a restarted follower gets stuckAfter to catch up. One that stops
 * answering while stuck stays stuck (unrepaired) until it makes progress. Progress means a match index above the
 * highest seen so far, so the repair itself, which lowers the leader's match index, is not taken for
 * progress, and neither is the return of a value already seen.
 *
 * An episode starts when a follower becomes stuck (one STUCK event, on which the caller logs and
 * repairs), repeats its repair every further stuckAfter while it lasts (REPAIR_AGAIN, for the
 * caller to act on quietly), and ends at the first progress (one RECOVERED event). Pure logic:
 * the caller supplies the time and what the leader knows, so tests drive it with a fake clock.
 */
/** Decides, from successive looks at a leader's followers, which of them are stuck. Not API. */
final class StuckFollowers {
  /** What the leader knows of one follower at one look. */
  record Observation(String id, long matchIndex, long lastResponseMillis) {}

  /** Something the caller should act on. */
  record Event(Kind kind, String id, long matchIndex, long forMillis) {}

  enum Kind {
    STUCK,
    REPAIR_AGAIN,
    RECOVERED
  }

  /** A stuck follower: for how long it has made no progress, and its highest match index. */
  record Stuck(String id, long forMillis, long matchIndex) {}

  private static final class Track {
    long best;
    long progressAt;
    long repairedAt;
    boolean stuck;

    Track(long best, long now) {
      this.best = best;
      this.progressAt = now;
    }
  }

  private final long stuckAfterNanos;
  private final long answerWithinMillis;
  private final Map<String, Track> tracks = new HashMap<>();
  private long lastLook;

  StuckFollowers(long stuckAfterMillis, long answerWithinMillis) {
    this.stuckAfterNanos = TimeUnit.MILLISECONDS.toNanos(stuckAfterMillis);
    this.answerWithinMillis = answerWithinMillis;
  }

  /** Takes one look at the followers of a leader whose commit index is {@code leaderCommit}. */
  synchronized List<Event> observe(
      long nowNanos, long leaderCommit, Collection<Observation> followers) {
    lastLook = nowNanos;
    Set<String> present =
        followers.stream().map(Observation::id).collect(Collectors.toUnmodifiableSet());
    tracks.keySet().retainAll(present);
    List<Event> events = new ArrayList<>();
    for (Observation o : followers) {
      Track t = tracks.computeIfAbsent(o.id(), id -> new Track(o.matchIndex(), nowNanos));
      if (o.matchIndex() > t.best || o.matchIndex() >= leaderCommit) {
        if (t.stuck) {
          events.add(
              new Event(Kind.RECOVERED, o.id(), o.matchIndex(), millis(nowNanos - t.progressAt)));
        }
        t.best = Math.max(t.best, o.matchIndex());
        t.progressAt = nowNanos;
        t.stuck = false;
        continue;
      }
      boolean answering = o.lastResponseMillis() <= answerWithinMillis;
      if (!answering && !t.stuck) {
        t.progressAt = nowNanos; // time spent down does not count: a restarted node has to catch up
        continue;
      }
      if (!answering || nowNanos - t.progressAt < stuckAfterNanos) {
        continue;
      }
      if (!t.stuck) {
        t.stuck = true;
        t.repairedAt = nowNanos;
        events.add(new Event(Kind.STUCK, o.id(), t.best, millis(nowNanos - t.progressAt)));
      } else if (nowNanos - t.repairedAt >= stuckAfterNanos) {
        t.repairedAt = nowNanos;
        events.add(new Event(Kind.REPAIR_AGAIN, o.id(), t.best, millis(nowNanos - t.progressAt)));
      }
    }
    return events;
  }

  /** The followers stuck at the last look, with their durations as of that look. */
  synchronized List<Stuck> stuck() {
    return tracks.entrySet().stream()
        .filter(e -> e.getValue().stuck)
        .map(
            e ->
                new Stuck(
                    e.getKey(), millis(lastLook - e.getValue().progressAt), e.getValue().best))
        .sorted(java.util.Comparator.comparing(Stuck::id))
        .toList();
  }

  /** Forgets everything: this node is no longer leader (a new term starts a fresh watch). */
  synchronized void reset() {
    tracks.clear();
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
