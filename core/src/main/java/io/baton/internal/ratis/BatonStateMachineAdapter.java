package io.baton.internal.ratis;

import io.baton.internal.StoreRecovery;
import io.baton.statemachine.StateMachine;
import io.baton.storage.ConsistentReader;
import io.baton.storage.RocksDbStateStore;
import io.baton.storage.SnapshotCatalog;
import io.baton.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The bridge between Ratis's state machine interface and the application's StateMachine over a
 * RocksDB store.
 *
 * Positions. Two indexes matter and they differ after a restart:
 *  - the store's applied index: the last command whose writes are in RocksDB, written atomically
 *    with those writes (ApplyBatch.commit);
 *  - Ratis's applied index (getLastAppliedTermIndex): where Ratis believes this state machine is.
 * Ratis starts a restarted server's apply loop at the latest snapshot's index, not at the store's,
 * because it assumes state is only durable in snapshots (StateMachineUpdater, ServerState). The
 * store is usually ahead: every applied command is in RocksDB. So entries up to the store's applied
 * index are skipped here, and the restart replays only the true tail: the Raft log is the write-ahead
 * log, and the store needs no fsync per batch.
 * If the store is *behind* the latest snapshot (possible only after a power loss dropped its
 * unsynced tail while the log was already purged past it), it is restored from that snapshot first,
 * because Ratis will not replay entries older than the snapshot.
 *
 * Snapshots (SnapshotStorage.take) are RocksDB checkpoints in sm/ckpt_<term>_<index>/, which Ratis
 * ships to a follower that lags behind the purged log (InstallSnapshot); on the
 * follower Ratis replaces sm/, calls pause() (we close the store) and reinitialize() (we verify the
 * manifest, replace the live store by the checkpoint, reopen it and call StateMachine.open again).
 *
 * Store recovery at start (io.baton.internal.StoreRecovery), the leader lease for reads
 * (LeaderLease), digests (DigestMarks), Baton's internal commands (InternalCommands), admission of
 * commands on the leader (CommandAdmission) and the snapshot list Ratis sees (SnapshotStorage) are
 * each in their own class; this one drives them from Ratis's callbacks.
 *
 * Lifecycle. Ratis asserts that the state machine is PAUSED before reinitialize() and kills the
 * division otherwise, yet BaseStateMachine never moves its LifeCycle (Ratis notes §2.3). Every
 * transition is driven here.
 *
 * Concurrency. apply, takeSnapshot and reinitialize run on Ratis's single apply thread; pause runs
 * on the gRPC thread that received the last snapshot chunk, so it takes the apply lock. Queries run
 * on gRPC threads (or on the apply thread, when a linearizable read waited for it to catch up)
 * against a point-in-time RocksDB snapshot of the live store; a read-write lock keeps them off the
 * store while it is closed and swapped. stateDigest() holds the apply lock so the digest matches
 * one applied index.
 *
 * Failures. A command rejected by validate() never enters the log (startTransaction). An exception
 * thrown by StateMachine.apply halts this replica: it is rethrown to Ratis, which stops the division,
 * because a replica that skipped or half-applied a command would silently diverge.
 */
/** Runs a Baton {@link StateMachine} as a Ratis state machine. Not API. */
final class BatonStateMachineAdapter extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(BatonStateMachineAdapter.class);
  private static final ByteString OK_PREFIX = ByteString.copyFrom(new byte[] {Replies.OK});
  private static final Message LOST =
      Message.valueOf(ByteString.copyFrom(new byte[] {Replies.LOST}));

  /** Callbacks to the node. */
  interface Events {
    void leaderChanged(RaftPeerId newLeader);

    void leaderReady();

    void halted(Throwable cause);

    void serverShutdown();

    /** The cluster settings as of the applied state: at open, on install, and when changed. */
    void settingsChanged(ClusterSettings settings);

    /** An admin action recorded in the log at {@code index}. */
    void adminAction(long index, String record);

    /** The followers this node, as leader, finds stuck (ReplicationWatch's encoding). */
    default byte[] stuckFollowers() {
      return new byte[0];
    }
  }

  private final StateMachine app;
  private final Path dbDir;
  private final Events events;
  private final CommandAdmission admission;
  private final LeaderLease lease;
  private final DigestMarks digests = new DigestMarks();
  private final InternalCommands internal;
  private final SnapshotStorage snapshots;
  private final AppliedWaiters appliedWaiters = new AppliedWaiters();
  private volatile RaftServer.Division division;

  private final Object applyLock = new Object();
  private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();
  private volatile RocksDbStateStore store;
  private volatile Throwable haltCause;
  private final AtomicLong snapshotsInstalled = new AtomicLong();
  private final AtomicLong entriesSkipped = new AtomicLong();

  BatonStateMachineAdapter(
      StateMachine app,
      Path dbDir,
      int maxCommandBytes,
      int retainedSnapshots,
      long leaseMillis,
      Events events) {
    this.app = app;
    this.dbDir = dbDir;
    this.events = events;
    this.admission = new CommandAdmission(app, maxCommandBytes);
    this.lease = new LeaderLease(leaseMillis);
    this.internal = new InternalCommands(events, digests);
    this.snapshots = new SnapshotStorage(retainedSnapshots);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.open(raftStorage);
    Path logDir = raftStorage.getStorageDir().getCurrentDir().toPath();
    getLifeCycle().startAndTransition(() -> openStore(logDir));
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  /** Opens the live store, checking it against the snapshots and the Raft log in {@code logDir}. */
  private void openStore(Path logDir) throws IOException {
    long firstLogIndex = RaftLogFiles.firstIndex(logDir).orElse(0);
    StoreRecovery.Recovered recovered =
        StoreRecovery.open(dbDir, app.keyspaces(), snapshots.catalog(), firstLogIndex, logDir);
    Optional<SnapshotCatalog.SnapshotRef> latest = recovered.snapshot();
    TermIndex start =
        latest.map(r -> TermIndex.valueOf(r.term(), r.index())).orElse(TermIndex.INITIAL_VALUE);
    installStore(recovered.store(), latest, start);
    LOG.info(
        "State store {} opened at index {} (latest snapshot: {}); Ratis resumes at index {}",
        dbDir,
        recovered.store().applied().index(),
        latest.map(r -> r.dir().getFileName().toString()).orElse("none"),
        start.getIndex());
  }

  /*
   * The one way a store goes live, at start and after a snapshot install: Ratis resumes applying
   * after {@code start}, queries see the new store, and the application and the node learn of the
   * state it holds.
   */
  /** Makes {@code s} the live store, with {@code latest} as the latest snapshot. */
  private void installStore(
      RocksDbStateStore s, Optional<SnapshotCatalog.SnapshotRef> latest, TermIndex start) {
    snapshots.setLatest(latest);
    setLastAppliedTermIndex(start);
    storeLock.writeLock().lock();
    try {
      store = s;
    } finally {
      storeLock.writeLock().unlock();
    }
    app.open(s.reader());
    events.settingsChanged(ClusterSettings.decode(s.metadata(ClusterSettings.METADATA_NAME)));
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
    ByteString message = request.getMessage().getContent();
    byte kind;
    try {
      kind = Envelope.kind(message);
    } catch (IllegalArgumentException e) {
      return trx.setException(new RejectedCommandException(e.getMessage()));
    }
    ByteString content = Envelope.body(message);
    if (kind == Envelope.BATON) {
      return InternalCommands.isKnown(content)
          ? trx
          : trx.setException(new RejectedCommandException("unknown internal command"));
    }
    Throwable halted = haltCause;
    if (halted != null) {
      return trx.setException(new HaltedException(haltMessage(halted)));
    }
    if (CommandBatch.isBatch(kind)) {
      return startBatch(request, kind, content);
    }
    Optional<String> rejection = admission.rejection(content.toByteArray());
    return rejection.isPresent()
        ? trx.setException(new RejectedCommandException(rejection.get()))
        : trx;
  }

  private TransactionContext startBatch(RaftClientRequest request, byte kind, ByteString body) {
    TransactionContext.Builder trx =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    try {
      admission.admitBatch(kind, body).ifPresent(trx::setLogData);
    } catch (RejectedCommandException e) {
      return trx.build().setException(e);
    }
    return trx.build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    long term = entry.getTerm();
    byte[] reply;
    synchronized (applyLock) {
      RocksDbStateStore s = store;
      if (s == null) {
        // Not an application failure: Ratis applied while the store was closed for a snapshot
        // install or shutdown. Stop this division rather than skip the entry.
        throw new IllegalStateException(
            "state store is closed; cannot apply log index "
                + index
                + " ("
                + getLifeCycleState()
                + ")");
      }
      if (index <= s.applied().index()) {
        // Already in the store before a restart: Ratis replays from the latest snapshot.
        entriesSkipped.incrementAndGet();
        advanceApplied(term, index);
        return CompletableFuture.completedFuture(LOST);
      }
      ByteString message = entry.getStateMachineLogEntry().getLogData();
      byte kind = Envelope.kind(message);
      if (kind == Envelope.BATON) {
        reply = internal.apply(s, Envelope.body(message), term, index);
        advanceApplied(term, index);
        return CompletableFuture.completedFuture(
            Message.valueOf(OK_PREFIX.concat(UnsafeByteOperations.unsafeWrap(reply))));
      }
      try {
        if (CommandBatch.isBatch(kind)) {
          List<CommandBatch.Item> replies =
              CommandPath.applyBatch(
                  app, s, term, index, CommandBatch.decode(kind, Envelope.body(message)));
          advanceApplied(term, index);
          return CompletableFuture.completedFuture(
              Message.valueOf(CommandBatch.encodeReply(kind, replies)));
        }
        reply = CommandPath.apply(app, s, term, index, Envelope.body(message).toByteArray());
      } catch (RuntimeException | Error e) {
        haltCause = e;
        LOG.error(
            "StateMachine.apply threw at log index {}; halting this replica so it cannot diverge",
            index,
            e);
        events.halted(e);
        throw new IllegalStateException(haltMessage(e), e);
      }
      advanceApplied(term, index);
    }
    return CompletableFuture.completedFuture(
        Message.valueOf(OK_PREFIX.concat(UnsafeByteOperations.unsafeWrap(reply))));
  }

  private static String haltMessage(Throwable cause) {
    return "replica halted: StateMachine.apply threw " + cause;
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    synchronized (applyLock) {
      advanceApplied(term, index);
    }
  }

  private void advanceApplied(long term, long index) {
    TermIndex ti = TermIndex.valueOf(term, index);
    if (ti.compareTo(getLastAppliedTermIndex()) > 0) {
      updateLastAppliedTermIndex(ti);
    }
    appliedWaiters.applied(index);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    storeLock.readLock().lock();
    try {
      RocksDbStateStore s = store;
      if (s == null) {
        return CompletableFuture.failedFuture(
            new IOException("state store is being replaced by a snapshot; retry"));
      }
      ByteString message = request.getContent();
      byte kind = Envelope.kind(message);
      if (kind == Envelope.BATON) {
        return internal.query(s, Envelope.body(message));
      }
      if (CommandBatch.isBatch(kind)) {
        throw new IllegalArgumentException("a query cannot be a command batch");
      }
      Optional<String> deposed = possiblyDeposedLeader();
      if (deposed.isPresent()) {
        return CompletableFuture.failedFuture(
            new StateMachineException(deposed.get(), new ReadIndexException(deposed.get()), false));
      }
      byte[] reply;
      try (ConsistentReader reader = s.openConsistentReader()) {
        reply = app.query(Envelope.body(message).toByteArray(), reader);
      }
      if (reply == null) {
        throw new NullPointerException("StateMachine.query returned null (return new byte[0])");
      }
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    } catch (IllegalArgumentException e) {
      // Ratis turns only a StateMachineException into an error reply; anything else looks like
      // a transport failure to the client, which would retry it until its timeout.
      return CompletableFuture.failedFuture(
          new StateMachineException(
              "query rejected", new RejectedQueryException(String.valueOf(e.getMessage())), false));
    } catch (RuntimeException e) {
      LOG.warn("StateMachine.query threw", e);
      return CompletableFuture.failedFuture(
          new StateMachineException("query failed: " + e, e, false));
    } finally {
      storeLock.readLock().unlock();
    }
  }

  /** Why this node must not answer a linearizable read as leader now (see LeaderLease). */
  private Optional<String> possiblyDeposedLeader() {
    RaftServer.Division d = division;
    if (d == null) {
      try {
        d = getServer().join().getDivision(getGroupId());
        division = d;
      } catch (IOException | RuntimeException e) {
        return Optional.empty(); // not started yet: Ratis answers no read before it is
      }
    }
    return lease.refusal(d);
  }

  /*
   * BaseStateMachine.queryStale parks futures that are never completed (Ratis notes §2.4); waiters
   * here are completed by the apply path.
   */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    if (getLastAppliedTermIndex().getIndex() >= minIndex) {
      return query(request);
    }
    CompletableFuture<Void> ready = appliedWaiters.await(minIndex);
    if (getLastAppliedTermIndex().getIndex() >= minIndex) {
      appliedWaiters.applied(getLastAppliedTermIndex().getIndex());
    }
    return ready.thenCompose(v -> query(request));
  }

  @Override
  public long takeSnapshot() throws IOException {
    try {
      return takeSnapshotLocked();
    } catch (StorageException e) {
      // Ratis handles an IOException from takeSnapshot by logging it and keeping the old
      // snapshot; any other exception would stop this division.
      throw new IOException("snapshot failed: " + e.getMessage(), e);
    }
  }

  private long takeSnapshotLocked() throws IOException {
    synchronized (applyLock) {
      return snapshots.take(store, getLastAppliedTermIndex());
    }
  }

  @Override
  public void pause() {
    // Ratis calls pause() on the gRPC thread that received the last snapshot chunk, while the
    // apply thread may still be applying entries: take the apply lock so no apply sees the store
    // closing under it.
    synchronized (applyLock) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      closeStore();
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  private void closeStore() {
    storeLock.writeLock().lock();
    try {
      RocksDbStateStore s = store;
      store = null;
      if (s != null) {
        s.close();
      }
    } finally {
      storeLock.writeLock().unlock();
    }
  }

  @Override
  public void reinitialize() throws IOException {
    synchronized (applyLock) {
      SnapshotCatalog catalog = snapshots.catalog();
      SnapshotCatalog.SnapshotRef ref =
          catalog
              .latest()
              .orElseThrow(() -> new IOException("no snapshot in " + catalog.root() + " to load"));
      LOG.info("Installing snapshot {} into {}", ref.dir().getFileName(), dbDir);
      RocksDbStateStore.restore(ref.dir(), dbDir);
      getLifeCycle().transition(LifeCycle.State.STARTING);
      installStore(
          RocksDbStateStore.open(dbDir, app.keyspaces()),
          Optional.of(ref),
          TermIndex.valueOf(ref.term(), ref.index()));
      snapshotsInstalled.incrementAndGet();
      appliedWaiters.applied(ref.index());
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    events.leaderChanged(newLeaderId);
  }

  @Override
  public void notifyLeaderReady() {
    events.leaderReady();
  }

  /*
   * Ratis reports a new leader through notifyLeaderChanged only once one is known; a leader that
   * steps down (lost its majority, or hands over) is told here first, so its leader-only duties
   * stop at once instead of when it next hears from the new leader.
   */
  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    events.leaderChanged(null);
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    events.serverShutdown();
  }

  @Override
  public void notifySnapshotInstalled(
      InstallSnapshotResult result, long snapshotIndex, RaftPeer peer) {
    LOG.info("Snapshot install on {} at index {}: {}", peer.getId(), snapshotIndex, result);
  }

  @Override
  public void close() throws IOException {
    digests.close();
    synchronized (applyLock) {
      closeStore();
    }
    appliedWaiters.cancelAll();
  }

  /** The hex SHA-256 of the state with the applied index it matches, or empty if closed. */
  Optional<Map.Entry<Long, String>> digest() {
    synchronized (applyLock) {
      RocksDbStateStore s = store;
      if (s == null) {
        return Optional.empty();
      }
      return Optional.of(Map.entry(getLastAppliedTermIndex().getIndex(), s.digestHex()));
    }
  }

  long lastSnapshotIndex() {
    return snapshots.latestIndex();
  }

  long snapshotsTaken() {
    return snapshots.taken();
  }

  long snapshotsInstalled() {
    return snapshotsInstalled.get();
  }

  long entriesSkippedOnReplay() {
    return entriesSkipped.get();
  }

  Optional<Throwable> haltCause() {
    return Optional.ofNullable(haltCause);
  }
}
