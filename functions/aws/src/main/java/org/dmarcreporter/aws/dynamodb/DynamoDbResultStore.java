package org.dmarcreporter.aws.dynamodb;

import org.dmarcreporter.core.window.WindowTiming;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.StoredResult;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The {@link ResultStore} on DynamoDB: two tables, low-level client, no mapper.
 *
 * <h2>ReportsTable</h2> (pk S, sk S; TTL attribute {@code expiresAt}, epoch seconds; no stream)
 * <table>
 *   <caption>Items of ReportsTable</caption>
 *   <tr><th>item</th><th>pk</th><th>sk</th><th>attributes</th></tr>
 *   <tr><td>counter row</td><td>{@code ROW#<policyDomain>#<windowStart>}</td>
 *       <td>base64url(SHA-256({@code RowIncrement.rowKey()})), no padding</td>
 *       <td>{@code count} N (UpdateItem ADD), {@code row} S (JSON of the AggregateRow),
 *       {@code expiresAt} = windowStart + {@link Retention#REPORT_DATA}</td></tr>
 *   <tr><td>window index: which domains have unreported data, and the record as published</td>
 *       <td>{@code WINDOW#<shard>}, shard = first byte of SHA-256(policyDomain) mod 16 as two
 *       hex digits ({@code 00}..{@code 0f})</td>
 *       <td>{@code <policyDomain>#<windowStart>}</td>
 *       <td>{@code domain} S, {@code windowStart} N, {@code policyRecord} S (last seen),
 *       {@code updatedAt} N, {@code expiresAt} = windowStart + REPORT_DATA. One UpdateItem SET
 *       per (domain, window) per batch or transaction chunk; the nightly run queries the 16
 *       shards and never scans.</td></tr>
 *   <tr><td>send-now cut (written by the aggregate function)</td>
 *       <td>{@code CUT#<policyDomain>}, or {@code CUT#*} for every domain</td><td>{@code CUT}</td>
 *       <td>{@code cutAt} N. {@link #latestCut} is the larger of the two (missing = 0), read
 *       consistently and cached per container for at most {@link WindowTiming#CUT_CACHE}.</td></tr>
 *   <tr><td>idempotency request</td><td>{@code IDEMPOTENCY#<key>}</td><td>{@code REQUEST}</td>
 *       <td>{@code status} S ({@code IN_PROGRESS} | {@code COMPLETE}), {@code response} B,
 *       {@code leaseUntil} N, {@code expiresAt} = latest claim time + {@link Retention#DEDUPE};
 *       while {@code IN_PROGRESS}, {@code chunkPlan} S: the {@link ChunkPlan}, chunk number →
 *       request indexes ({@link StoredResult#requestIndex()}), e.g. {@code 1,2,3|4,7|-|0}
 *       ({@code |} between chunks, {@code -} an abandoned number; ~2 KB for 500 results),
 *       removed on completion</td></tr>
 *   <tr><td>chunk marker</td><td>{@code IDEMPOTENCY#<key>#<chunkNo>}</td><td>{@code CHUNK}</td>
 *       <td>{@code expiresAt} = storedAt + DEDUPE</td></tr>
 *   <tr><td>message marker</td><td>{@code MSG#<messageId>} ({@code MSG#sha256:<base64url>} for
 *       ids over 1 KiB)</td><td>{@code MESSAGE}</td><td>{@code expiresAt} = storedAt + DEDUPE</td></tr>
 * </table>
 *
 * <h2>FailureCandidatesTable</h2> (pk S; stream NEW_IMAGE; TTL {@code expiresAt}): pk =
 * {@code FailureCandidate.id()}; {@code candidate} S (JSON), {@code policyDomain} S,
 * {@code storedAt} N, {@code expiresAt} = storedAt + {@link Retention#FAILURE_CANDIDATE}. Always
 * one PutItem with {@code attribute_not_exists(pk)}: one stream INSERT per candidate, even when
 * the write is retried (moto emits two INSERTs for an UpdateItem that creates an item).
 *
 * <h2>How a batch is written</h2>
 * <ol>
 *   <li>With an Idempotency-Key: the chunks are planned first ({@link ChunkPlanner}), then a
 *       PutItem claims {@code IDEMPOTENCY#<key>} with a {@link IdempotencyLedger#LEASE 60 s
 *       lease} and the chunk plan (condition: absent or expired). If that fails, a consistent
 *       GetItem answers {@code COMPLETE} → {@link IngestOutcome.Replayed} with the stored bytes,
 *       {@code IN_PROGRESS} with a live lease → {@link IngestOutcome.InProgress}; an
 *       {@code IN_PROGRESS} claim whose lease ran out is taken over by an UpdateItem that renews
 *       the lease and returns the stored plan, which the retry follows (it does not store its
 *       own, see below). After the last write the item becomes {@code COMPLETE} with the
 *       response; after a failure its lease is dropped so the client's retry can go ahead at
 *       once.</li>
 *   <li>The stored plan, not one rebuilt from the retry's results, says what each chunk marker
 *       stands for: a retry evaluates the request again, and DNS may answer differently, so
 *       its set of storable results can differ. The retry ({@link ResumedPlan}) writes each
 *       stored chunk whose results are all storable now under its number (skipped if its marker
 *       exists); a stored chunk with results missing now, or that no longer fits one
 *       transaction, is skipped if its marker exists (consistent GetItem) and otherwise
 *       abandoned; results in no stored chunk (or in an abandoned one) go into new chunks
 *       numbered after the stored ones. A changed plan is saved (UpdateItem, conditional on the
 *       retry's lease) before any chunk is written. So every chunk number names one fixed set
 *       of request indexes from the moment its marker can exist, and each result is counted
 *       once. A retry whose results are the same reads no marker and saves no plan.</li>
 *   <li>With {@code dedupeMessageIds}, repeated messageIds within the batch count once. Results
 *       with a messageId (and, with an Idempotency-Key, every result) are written in
 *       TransactWriteItems chunks of at most 100 items ({@link ChunkPlanner}): per message a
 *       {@code MSG#} marker Put ({@code attribute_not_exists(pk) OR expiresAt < :now}), per
 *       distinct row the ADD of its merged count, per window the index update, per failure
 *       candidate its conditional Put, and with a key the chunk marker. Messages of a row share
 *       a chunk, so 500 messages over 50 rows take ~6 transactions and ~560 items. With a key,
 *       results need distinct request indexes.</li>
 *   <li>A cancelled transaction is read reason by reason: a failed chunk marker means an earlier
 *       attempt with this key committed the chunk (skip it); failed {@code MSG#} markers are
 *       messages counted by an earlier request (drop them, count them in
 *       {@link IngestOutcome.Stored#duplicateMessages()}, retry the rest); a failed candidate
 *       Put means the candidate exists (drop it, retry); conflicts and throttling back off and
 *       retry.</li>
 *   <li>Everything else (dedupe off and no key, or results without messageId and no key): window
 *       index UpdateItems first, then one UpdateItem ADD per distinct row and one conditional
 *       PutItem per candidate, up to {@link #WRITE_THREADS} at a time. This path cannot tell a
 *       retry from a new request: senders that retry send an Idempotency-Key.</li>
 *   <li>Before every write, a batch older than {@link WindowTiming#INGEST_DEADLINE} stops and throws
 *       {@link org.dmarcreporter.core.store.StoreUnavailableException} (503); so do throttling,
 *       5xx and network errors.</li>
 * </ol>
 */
public final class DynamoDbResultStore implements ResultStore, AutoCloseable {

    /**
     * Concurrent non-transactional writes per batch. The JDK's HTTP keep-alive cache holds 5
     * connections per host by default ({@code http.maxConnections}); more threads would open
     * (and TLS-handshake) fresh connections on every batch.
     */
    static final int WRITE_THREADS = 5;

    private final Clock clock;
    private final ExecutorService executor;
    private final SendNowCuts cuts;
    private final IdempotencyLedger ledger;
    private final ChunkWriter chunkWriter;
    private final DirectWriter directWriter;

    public DynamoDbResultStore(DynamoDbClient db, String reportsTable, String candidatesTable, Clock clock) {
        Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(reportsTable, "reportsTable");
        Objects.requireNonNull(candidatesTable, "candidatesTable");
        ReportItems items = new ReportItems(reportsTable, candidatesTable);
        this.executor = writerPool();
        this.cuts = new SendNowCuts(db, reportsTable, clock);
        this.ledger = new IdempotencyLedger(db, reportsTable);
        this.chunkWriter = new ChunkWriter(db, items);
        this.directWriter = new DirectWriter(db, items, executor);
    }

    @Override
    public long latestCut(String policyDomain) {
        return cuts.latestCut(policyDomain);
    }

    @Override
    public IngestOutcome ingest(IngestBatch batch) {
        WriteRun run = new WriteRun(batch, clock);
        String key = batch.idempotencyKey();
        List<StoredResult> results = batch.dedupeMessageIds()
                ? firstOfEachMessage(batch.results(), run) : batch.results();
        List<StoredResult> transactional = new ArrayList<>();
        List<StoredResult> direct = new ArrayList<>();
        for (StoredResult r : results) {
            boolean needsMarker = key != null || (batch.dedupeMessageIds() && r.messageId() != null);
            (needsMarker ? transactional : direct).add(r);
        }
        ChunkPlanner planner = new ChunkPlanner(batch.dedupeMessageIds(), key != null,
                r -> StoredJson.rowJson(r.row()).length() + 200,
                c -> run.candidateJson(c).length() + 200);
        List<List<StoredResult>> planned = planner.plan(transactional);
        if (key == null) {
            chunkWriter.write(PlannedChunk.numbered(planned), run);
            directWriter.write(direct, run);
            return new IngestOutcome.Stored(run.duplicates(), run.itemWrites());
        }

        requireDistinctRequestIndexes(transactional);
        run.checkDeadline();
        IdempotencyLedger.Claim claim = ledger.claim(key, run, ChunkPlan.of(planned));
        if (claim.earlier() != null) {
            return claim.earlier();
        }
        try {
            List<PlannedChunk> chunks;
            if (claim.resumed()) {
                ResumedPlan resumed = ResumedPlan.of(claim.plan(), transactional, planner,
                        n -> ledger.chunkStored(key, n, run));
                if (resumed.changed()) {
                    ledger.savePlan(key, resumed.plan(), claim.leaseUntil(), run);
                }
                chunks = resumed.chunks();
            } else {
                chunks = PlannedChunk.numbered(planned);
            }
            chunkWriter.write(chunks, run);
            ledger.complete(key, batch.response(), run);
        } catch (RuntimeException | Error e) {
            ledger.release(key, claim.leaseUntil(), e);
            throw e;
        }
        return new IngestOutcome.Stored(run.duplicates(), run.itemWrites());
    }

    /** Stops the writer threads; the DynamoDB client belongs to the caller. */
    @Override
    public void close() {
        executor.shutdown();
    }

    /** Keeps the first result of each messageId (docs/ingest-api.md: a messageId is counted once). */
    private static List<StoredResult> firstOfEachMessage(List<StoredResult> results, WriteRun run) {
        Set<String> seen = new HashSet<>();
        List<StoredResult> out = new ArrayList<>(results.size());
        for (StoredResult r : results) {
            if (r.messageId() == null || seen.add(r.messageId())) {
                out.add(r);
            } else {
                run.duplicate(1);
            }
        }
        return out;
    }

    /** The stored chunk plan names results by request index: with a key, each must name one. */
    private static void requireDistinctRequestIndexes(List<StoredResult> results) {
        Set<Integer> seen = new HashSet<>();
        for (StoredResult r : results) {
            if (!seen.add(r.requestIndex())) {
                throw new IllegalArgumentException("results of a request with an Idempotency-Key need distinct"
                        + " requestIndex values; " + r.requestIndex() + " is repeated");
            }
        }
    }

    /** Daemon threads, created on first use and dropped when idle: nothing runs at cold start. */
    private static ExecutorService writerPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WRITE_THREADS, WRITE_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dynamodb-writer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
