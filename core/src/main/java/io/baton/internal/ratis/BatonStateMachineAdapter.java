package io.baton.internal.ratis;

import io.baton.statemachine.StateMachine;
import io.baton.storage.AppliedIndex;
import io.baton.storage.CorruptSnapshotException;
import io.baton.storage.RocksDbStateStore;
import io.baton.storage.SnapshotCatalog;
import io.baton.storage.SnapshotManifest;
import io.baton.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The bridge between Ratis's state machine interface and the application's StateMachine over a
 * RocksDB store.
 *
 * Positions. Two indexes matter and they differ after a restart:
 *  - the store's applied index: the last command whose writes are in RocksDB, written atomically
 *    with those writes (RocksDbStateStore.ApplyBatch.commit);
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
 * Snapshots (takeSnapshot) run on Ratis's apply thread with applies stopped. The store's applied
 * marker is first moved to Ratis's applied index (configuration and leader entries advance it
 * without touching the store), then a RocksDB checkpoint of hard links is taken into
 * sm/ckpt_<term>_<index>/ with a manifest of sizes and CRC32C checksums. Ratis ships those files to a
 * follower that lags behind the purged log (InstallSnapshot, chunked, MD5-checked per file); on the
 * follower Ratis replaces sm/, calls pause() (we close the store) and reinitialize() (we verify the
 * manifest, replace the live store by the checkpoint, reopen it and call StateMachine.open again).
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
  }

  private final StateMachine app;
  private final Path dbDir;
  private final int maxCommandBytes;
  private final int retainedSnapshots;
  private final long leaseMillis;
  private final Events events;
  private volatile RaftServer.Division division;

  private final Object applyLock = new Object();
  private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();
  private volatile RocksDbStateStore store;
  private volatile SnapshotCatalog catalog;
  private volatile SnapshotInfo latestSnapshot;
  private volatile Throwable haltCause;
  private final AtomicLong snapshotsTaken = new AtomicLong();
  private final AtomicLong snapshotsInstalled = new AtomicLong();
  private final AtomicLong entriesSkipped = new AtomicLong();
  private final TreeMap<Long, List<CompletableFuture<Void>>> appliedWaiters = new TreeMap<>();

  /** Digests of the state at recent digest marks, by the mark's log index; see markDigest. */
  private final TreeMap<Long, CompletableFuture<String>> digests = new TreeMap<>();

  private final ExecutorService digestExecutor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "baton-digest");
            t.setDaemon(true);
            return t;
          });

  private final StateMachineStorage storage =
      new StateMachineStorage() {
        @Override
        public void init(RaftStorage raftStorage) {}

        @Override
        public SnapshotInfo getLatestSnapshot() {
          return latestSnapshot;
        }

        @Override
        public void format() {}

        @Override
        public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
          SnapshotCatalog c = catalog;
          if (c != null) {
            try {
              c.retain(retainedSnapshots);
            } catch (RuntimeException e) {
              // Old snapshots left behind cost disk, not correctness: retried after the next one.
              LOG.warn("Could not delete old snapshots in {}: {}", c.root(), e.toString());
            }
          }
        }
      };

  BatonStateMachineAdapter(
      StateMachine app,
      Path dbDir,
      int maxCommandBytes,
      int retainedSnapshots,
      long leaseMillis,
      Events events) {
    this.app = app;
    this.dbDir = dbDir;
    this.maxCommandBytes = maxCommandBytes;
    this.retainedSnapshots = retainedSnapshots;
    this.leaseMillis = leaseMillis;
    this.events = events;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    catalog = new SnapshotCatalog(raftStorage.getStorageDir().getStateMachineDir().toPath());
    Path logDir = raftStorage.getStorageDir().getCurrentDir().toPath();
    getLifeCycle().startAndTransition(() -> openStore(logDir));
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /*
   * What a start may find on disk, and what it does. The identity file was checked before Ratis
   * started; Ratis loads the log only after this. A = the store's applied index, S = the latest
   * complete snapshot's index, L = the first index of the Raft log on disk. Ratis purges the log
   * only up to a snapshot it was told about, so normally S >= L - 1.
   *  - A < S: the store lost its unsynced tail (power loss), or db/ is gone. Restore it from the
   *    snapshot, which is verified in full first: a damaged snapshot stops the start, naming the file.
   *  - A >= S: RocksDB checks every block checksum of the store, and the snapshot is verified in
   *    full. A damaged store stops the start, naming the file. This reads the state about twice at
   *    most, less where the snapshot's SST files are still hard links of the store's (one inode,
   *    one page cache).
   *  - A < L - 1: the entries in between are gone from store, snapshots and log alike (db/ and sm/
   *    deleted or damaged). Starting would leave this replica empty, or stuck below its log; refuse.
   *  - the latest snapshot is damaged, or S < L - 1 <= A (its manifest is gone, so an older one or
   *    none is found): the store is intact and at least as far. Replace the snapshot by a new
   *    checkpoint of the store, so that Ratis resumes after the store instead of waiting forever
   *    for purged entries, and never ships the damaged snapshot to a follower.
   */
  /** Opens the live store, checking it against the snapshots and the Raft log in {@code logDir}. */
  private void openStore(Path logDir) throws IOException {
    RocksDbStateStore s = RocksDbStateStore.open(dbDir, app.keyspaces());
    Optional<SnapshotCatalog.SnapshotRef> latest;
    try {
      latest = catalog.latest();
      boolean restored = false;
      if (latest.isPresent() && s.applied().index() < latest.get().index()) {
        LOG.warn(
            "State store {} is at index {}, behind the latest snapshot at {}; restoring it from {}",
            dbDir,
            s.applied().index(),
            latest.get().index(),
            latest.get().dir());
        s.close();
        RocksDbStateStore.restore(latest.get().dir(), dbDir);
        s = RocksDbStateStore.open(dbDir, app.keyspaces());
        restored = true;
      } else {
        s.verifyChecksums();
      }
      long firstLogIndex = RaftLogFiles.firstIndex(logDir).orElse(0);
      AppliedIndex applied = s.applied();
      if (applied.index() < firstLogIndex - 1) {
        throw new StorageException(
            "state store "
                + dbDir
                + " is at log index "
                + applied.index()
                + ", the latest snapshot in "
                + catalog.root()
                + " is "
                + latest.map(r -> "at index " + r.index()).orElse("none")
                + ", and the Raft log in "
                + logDir
                + " starts at index "
                + firstLogIndex
                + ": entries "
                + (applied.index() + 1)
                + " to "
                + (firstLogIndex - 1)
                + " are in none of them; the store or the snapshots were deleted or damaged");
      }
      Optional<String> unusable =
          latest.isEmpty() || restored ? Optional.empty() : damage(latest.get());
      long snapshotIndex = latest.map(SnapshotCatalog.SnapshotRef::index).orElse(-1L);
      if (unusable.isPresent() || snapshotIndex < firstLogIndex - 1) {
        LOG.warn(
            "Replacing snapshot {} by a checkpoint of state store {} at index {}: {}",
            latest.map(r -> r.dir().toString()).orElse("(none)"),
            dbDir,
            applied.index(),
            unusable.orElse("the Raft log was purged up to index " + (firstLogIndex - 1)));
        if (unusable.isPresent()) {
          catalog.delete(latest.get());
        }
        s.checkpoint(catalog.root());
        latest = catalog.latest();
      }
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    TermIndex start =
        latest.map(r -> TermIndex.valueOf(r.term(), r.index())).orElse(TermIndex.INITIAL_VALUE);
    latestSnapshot = latest.map(this::toSnapshotInfo).orElse(null);
    setLastAppliedTermIndex(start);
    storeLock.writeLock().lock();
    try {
      store = s;
    } finally {
      storeLock.writeLock().unlock();
    }
    LOG.info(
        "State store {} opened at index {} (latest snapshot: {}); Ratis resumes at index {}",
        dbDir,
        s.applied().index(),
        latest.map(r -> r.dir().getFileName().toString()).orElse("none"),
        start.getIndex());
    app.open(s.reader());
    events.settingsChanged(ClusterSettings.decode(s.metadata(ClusterSettings.METADATA_NAME)));
  }

  /** What is wrong with a snapshot, if anything: its manifest, or a file's size or CRC32C. */
  private static Optional<String> damage(SnapshotCatalog.SnapshotRef ref) {
    try {
      SnapshotManifest.read(ref.dir()).verify(ref.dir());
      return Optional.empty();
    } catch (CorruptSnapshotException e) {
      return Optional.of(e.getMessage());
    }
  }

  private SnapshotInfo toSnapshotInfo(SnapshotCatalog.SnapshotRef ref) {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(ref.dir())) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md5"))
          .sorted()
          .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list snapshot " + ref.dir() + ": " + e, e);
    }
    return new FileListSnapshotInfo(files, TermIndex.valueOf(ref.term(), ref.index()));
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
      trx.setException(new RejectedCommandException(e.getMessage()));
      return trx;
    }
    ByteString content = Envelope.body(message);
    if (kind == Envelope.BATON) {
      if (!isKnownInternalCommand(content)) {
        trx.setException(new RejectedCommandException("unknown internal command"));
      }
      return trx;
    }
    Throwable halted = haltCause;
    if (halted != null) {
      trx.setException(new HaltedException(haltMessage(halted)));
      return trx;
    }
    if (kind == Envelope.BATCH) {
      return startBatch(request, content);
    }
    String rejection = rejection(content.size(), content.toByteArray());
    if (rejection != null) {
      trx.setException(new RejectedCommandException(rejection));
    }
    return trx;
  }

  /** Why the leader refuses a command of {@code size} bytes, or null if it accepts it. */
  private String rejection(int size, byte[] command) {
    if (size > maxCommandBytes) {
      return "command is "
          + size
          + " bytes; the maximum is "
          + maxCommandBytes
          + " (NodeConfig.maxCommandBytes)";
    }
    return CommandPath.rejection(app, command);
  }

  /*
   * A batch is validated command by command. Accepted commands are logged as sent; a refused one is
   * logged as a REJECTED item carrying its reason, so its place in the batch, and the reply its
   * sender receives, are the same on every replica. The whole batch is refused only if it is
   * malformed or too large for one log entry.
   */
  private TransactionContext startBatch(RaftClientRequest request, ByteString body) {
    TransactionContext.Builder trx =
        TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
    long limit = maxBatchBytes();
    if (body.size() > limit) {
      return trx.build()
          .setException(
              new RejectedCommandException(
                  "batch is " + body.size() + " bytes; the maximum is " + limit));
    }
    List<CommandBatch.Item> items;
    try {
      items = CommandBatch.decode(body);
    } catch (IllegalArgumentException e) {
      return trx.build().setException(new RejectedCommandException(e.getMessage()));
    }
    boolean rewritten = false;
    for (int i = 0; i < items.size(); i++) {
      CommandBatch.Item item = items.get(i);
      if (item.rejected()) {
        return trx.build()
            .setException(
                new RejectedCommandException(
                    "batch item " + i + " is marked rejected by a client"));
      }
      String rejection = rejection(item.bytes().length, item.bytes());
      if (rejection != null) {
        items.set(i, CommandBatch.Item.rejected(rejection));
        rewritten = true;
      }
    }
    if (rewritten) {
      trx.setLogData(CommandBatch.encode(items));
    }
    return trx.build();
  }

  /*
   * The largest batch the leader logs: one entry must fit the appender's buffer, which is at least
   * 4 MiB and at least maxCommandBytes plus 64 KiB (RaftConfig.appenderBufferBytes). Clients send
   * batches of at most 256 KiB.
   */
  private long maxBatchBytes() {
    return Math.max(maxCommandBytes, 1L << 20);
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
      if (Envelope.kind(message) == Envelope.BATON) {
        reply = applyInternal(s, Envelope.body(message), term, index);
        advanceApplied(term, index);
        return CompletableFuture.completedFuture(
            Message.valueOf(OK_PREFIX.concat(UnsafeByteOperations.unsafeWrap(reply))));
      }
      try {
        if (Envelope.kind(message) == Envelope.BATCH) {
          List<CommandBatch.Item> replies =
              CommandPath.applyBatch(
                  app, s, term, index, CommandBatch.decode(Envelope.body(message)));
          advanceApplied(term, index);
          return CompletableFuture.completedFuture(
              Message.valueOf(CommandBatch.encodeReply(replies)));
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

  private static boolean isKnownInternalCommand(ByteString body) {
    if (body.isEmpty()) {
      return false;
    }
    byte op = body.byteAt(0);
    if (op == Envelope.OP_SETTINGS) {
      try {
        ClusterSettings.decode(Envelope.payload(body).toByteArray());
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    }
    return op == Envelope.OP_AUDIT || op == Envelope.OP_DIGEST_MARK;
  }

  /*
   * Baton's own commands. They commit an (often empty) batch so the store's applied index moves
   * with the log, as for application commands.
   */
  private byte[] applyInternal(RocksDbStateStore s, ByteString body, long term, long index) {
    byte op = Envelope.op(body);
    byte[] payload = Envelope.payload(body).toByteArray();
    try (RocksDbStateStore.ApplyBatch batch = s.newBatch()) {
      if (op == Envelope.OP_SETTINGS) {
        batch.putMetadata(ClusterSettings.METADATA_NAME, payload);
        batch.commit(term, index);
        events.settingsChanged(ClusterSettings.decode(payload));
      } else if (op == Envelope.OP_AUDIT) {
        batch.commit(term, index);
        events.adminAction(index, new String(payload, java.nio.charset.StandardCharsets.UTF_8));
      } else if (op == Envelope.OP_DIGEST_MARK) {
        markDigest(s, index);
        batch.commit(term, index);
      } else {
        // startTransaction admits only known operations: an unknown one here was written by a
        // newer version; skipping it would diverge from replicas that understand it.
        throw new IllegalStateException("unknown internal command " + op + " at index " + index);
      }
    }
    return new byte[0];
  }

  /*
   * Replica consistency check (as TiKV and CockroachDB do it): the digest mark is a log entry, so
   * every replica computes its digest over exactly the state before that entry, whatever its apply
   * speed. Opening the RocksDB snapshot here costs microseconds; hashing runs off the apply thread.
   */
  private void markDigest(RocksDbStateStore s, long index) {
    RocksDbStateStore.ConsistentReader reader = s.openConsistentReader();
    CompletableFuture<String> digest = new CompletableFuture<>();
    synchronized (digests) {
      digests.put(index, digest);
      while (digests.size() > 16) {
        digests.pollFirstEntry();
      }
    }
    try {
      digestExecutor.execute(
          () -> {
            try (reader) {
              digest.complete(java.util.HexFormat.of().formatHex(reader.digest()));
            } catch (RuntimeException e) {
              digest.completeExceptionally(e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      reader.close();
      digest.completeExceptionally(new IOException("state machine is closing"));
    }
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
    completeWaiters(index);
  }

  private void completeWaiters(long index) {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (appliedWaiters) {
      while (!appliedWaiters.isEmpty() && appliedWaiters.firstKey() <= index) {
        ready.addAll(appliedWaiters.pollFirstEntry().getValue());
      }
    }
    ready.forEach(f -> f.complete(null));
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
        return queryInternal(s, Envelope.body(message));
      }
      if (kind == Envelope.BATCH) {
        throw new IllegalArgumentException("a query cannot be a command batch");
      }
      String deposed = possiblyDeposedLeader();
      if (deposed != null) {
        return CompletableFuture.failedFuture(
            new StateMachineException(
                deposed,
                new org.apache.ratis.protocol.exceptions.ReadIndexException(deposed),
                false));
      }
      byte[] reply;
      try (RocksDbStateStore.ConsistentReader reader = s.openConsistentReader()) {
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

  /*
   * Ratis's ReadIndex skips the leadership check when the read index is at most the commit index
   * a majority last acknowledged (ReadIndexHeartbeats.addAppendEntriesListener returns at once).
   * A leader that was paused or cut off, and does not know yet that it was deposed, has committed
   * nothing since, so it answers a linearizable read from its old state. The torture harness caught
   * it: the leader SIGSTOPped, a read queued on it, answered stale right after SIGCONT, while a
   * newer write had been acknowledged by the new leader. So a node answering a read as leader
   * must also have heard from a majority of voters (itself included) within the minimum election
   * timeout: a follower refuses votes while it hears from its leader and starts no election before
   * that timeout, so no other leader can have been elected since (one clock, one machine or
   * bounded drift). Otherwise the read fails as "leader unknown" and the client retries it.
   * Queries that reach query() on a follower carry a read index the leader confirmed.
   */
  /** Why this node must not answer a linearizable read as leader now, or null if it may. */
  private String possiblyDeposedLeader() {
    RaftServer.Division d = division;
    if (d == null) {
      try {
        d = getServer().join().getDivision(getGroupId());
        division = d;
      } catch (IOException | RuntimeException e) {
        return null; // not started yet: Ratis answers no read before it is
      }
    }
    if (!d.getInfo().isLeader()) {
      return null;
    }
    java.util.Collection<org.apache.ratis.protocol.RaftPeer> voters =
        d.getRaftConf().getCurrentPeers();
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    int fresh = 0;
    for (org.apache.ratis.protocol.RaftPeer v : voters) {
      if (v.getId().equals(d.getId())) {
        fresh++;
        continue;
      }
      for (org.apache.ratis.proto.RaftProtos.ServerRpcProto f :
          role.getLeaderInfo().getFollowerInfoList()) {
        if (f.getId().getId().equals(v.getId().toByteString())
            && f.getLastRpcElapsedTimeMs() < leaseMillis) {
          fresh++;
        }
      }
    }
    if (2 * fresh > voters.size()) {
      return null;
    }
    return "leader "
        + d.getId()
        + " has heard from only "
        + fresh
        + " of "
        + voters.size()
        + " voters (itself included) in the last "
        + leaseMillis
        + " ms and may have been deposed; retry";
  }

  private CompletableFuture<Message> queryInternal(RocksDbStateStore s, ByteString body) {
    byte op = Envelope.op(body);
    if (op == Envelope.Q_SETTINGS) {
      byte[] settings = s.metadata(ClusterSettings.METADATA_NAME).orElse(new byte[0]);
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(settings)));
    }
    if (op == Envelope.Q_DIGEST) {
      long index = Envelope.payload(body).asReadOnlyByteBuffer().getLong();
      CompletableFuture<String> digest;
      synchronized (digests) {
        digest = digests.get(index);
      }
      if (digest == null) {
        return CompletableFuture.failedFuture(
            new StateMachineException(
                "no digest for index " + index + " on this replica",
                new RejectedQueryException(
                    "this replica did not apply the digest mark at index "
                        + index
                        + " itself (it restarted or received a snapshot since); run verify again"),
                false));
      }
      return digest.thenApply(
          hex ->
              Message.valueOf(ByteString.copyFrom(hex, java.nio.charset.StandardCharsets.UTF_8)));
    }
    throw new IllegalArgumentException("unknown internal query " + op);
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
    CompletableFuture<Void> ready = new CompletableFuture<>();
    synchronized (appliedWaiters) {
      appliedWaiters.computeIfAbsent(minIndex, k -> new ArrayList<>()).add(ready);
    }
    if (getLastAppliedTermIndex().getIndex() >= minIndex) {
      completeWaiters(getLastAppliedTermIndex().getIndex());
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
      RocksDbStateStore s = store;
      TermIndex ti = getLastAppliedTermIndex();
      SnapshotInfo latest = latestSnapshot;
      if (s == null || ti.getIndex() <= 0) {
        return latest == null ? -1 : latest.getIndex();
      }
      AppliedIndex storeApplied = s.applied();
      if (storeApplied.index() > ti.getIndex()) {
        // Still replaying entries the store already holds: a checkpoint now would be labelled with
        // an index older than its content. The next trigger after the replay will take it.
        return latest == null ? -1 : latest.getIndex();
      }
      if (latest != null && latest.getIndex() >= ti.getIndex()) {
        return latest.getIndex();
      }
      long started = System.nanoTime();
      if (storeApplied.index() < ti.getIndex()) {
        s.setApplied(ti.getTerm(), ti.getIndex());
      }
      s.checkpoint(catalog.root());
      SnapshotCatalog.SnapshotRef ref =
          catalog
              .latest()
              .filter(r -> r.index() == ti.getIndex())
              .orElseThrow(
                  () -> new IOException("checkpoint at index " + ti.getIndex() + " not found"));
      latestSnapshot = toSnapshotInfo(ref);
      snapshotsTaken.incrementAndGet();
      LOG.info(
          "Took snapshot {} in {} ms",
          ref.dir().getFileName(),
          (System.nanoTime() - started) / 1_000_000);
      return ti.getIndex();
    }
  }

  @Override
  public void pause() {
    // Ratis calls pause() on the gRPC thread that received the last snapshot chunk, while the
    // apply thread may still be applying entries: take the apply lock so no apply sees the store
    // closing under it.
    synchronized (applyLock) {
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSING);
      closeStore();
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSED);
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
      SnapshotCatalog.SnapshotRef ref =
          catalog
              .latest()
              .orElseThrow(() -> new IOException("no snapshot in " + catalog.root() + " to load"));
      LOG.info("Installing snapshot {} into {}", ref.dir().getFileName(), dbDir);
      RocksDbStateStore.restore(ref.dir(), dbDir);
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
      RocksDbStateStore s = RocksDbStateStore.open(dbDir, app.keyspaces());
      latestSnapshot = toSnapshotInfo(ref);
      setLastAppliedTermIndex(TermIndex.valueOf(ref.term(), ref.index()));
      storeLock.writeLock().lock();
      try {
        store = s;
      } finally {
        storeLock.writeLock().unlock();
      }
      app.open(s.reader());
      events.settingsChanged(ClusterSettings.decode(s.metadata(ClusterSettings.METADATA_NAME)));
      snapshotsInstalled.incrementAndGet();
      completeWaiters(ref.index());
      getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
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
  public void notifyNotLeader(java.util.Collection<TransactionContext> pendingEntries) {
    events.leaderChanged(null);
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    events.serverShutdown();
  }

  @Override
  public void notifySnapshotInstalled(
      org.apache.ratis.proto.RaftProtos.InstallSnapshotResult result,
      long snapshotIndex,
      org.apache.ratis.protocol.RaftPeer peer) {
    LOG.info("Snapshot install on {} at index {}: {}", peer.getId(), snapshotIndex, result);
  }

  @Override
  public void close() throws IOException {
    digestExecutor.shutdownNow();
    synchronized (applyLock) {
      closeStore();
    }
    synchronized (appliedWaiters) {
      appliedWaiters.values().forEach(l -> l.forEach(f -> f.cancel(false)));
      appliedWaiters.clear();
    }
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
    SnapshotInfo s = latestSnapshot;
    return s == null ? -1 : s.getIndex();
  }

  long snapshotsTaken() {
    return snapshotsTaken.get();
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
