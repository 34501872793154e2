package org.dmarcreporter.aws.dynamodb;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.WindowTiming;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The {@link ResultStore} on DynamoDB: two tables, low-level client, no mapper. Every item, key,
 * attribute and TTL, how a batch is written and what guarantees it keeps are written down in
 * {@code docs/dynamodb-data-model.md}.
 *
 * <p>In short: a batch is written in TransactWriteItems chunks ({@link ChunkPlanner},
 * {@link ChunkWriter}) of at most 100 items, each holding one item whose condition makes a
 * re-sent transaction fail instead of counting twice; failure candidates are conditional PutItems
 * just before their chunk ({@link CandidateWriter}). With an Idempotency-Key the attempt first
 * claims the key ({@link IdempotencyLedger}), and each chunk adds its request indexes to the
 * request item while the attempt owns the key, so a retry skips what an earlier attempt counted.
 * Before every write, a batch older than {@link WindowTiming#INGEST_DEADLINE} stops and throws
 * {@link org.dmarcreporter.core.store.StoreUnavailableException} (503); so do throttling, 5xx and
 * network errors.
 */
public final class DynamoDbResultStore implements ResultStore, AutoCloseable {

    private final Clock clock;
    private final SendNowCuts cuts;
    private final IdempotencyLedger ledger;
    private final ChunkWriter chunkWriter;
    private final CandidateWriter candidateWriter;

    public DynamoDbResultStore(DynamoDbClient db, String reportsTable, String candidatesTable, Clock clock) {
        Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(reportsTable, "reportsTable");
        Objects.requireNonNull(candidatesTable, "candidatesTable");
        ReportItems items = new ReportItems(reportsTable, candidatesTable);
        this.cuts = new SendNowCuts(db, reportsTable, clock);
        this.ledger = new IdempotencyLedger(db, reportsTable);
        this.candidateWriter = new CandidateWriter(db, items);
        this.chunkWriter = new ChunkWriter(db, items, ledger, candidateWriter);
    }

    @Override
    public long latestCut(String policyDomain) {
        return cuts.latestCut(policyDomain);
    }

    @Override
    public IngestOutcome ingest(IngestBatch batch) {
        WriteRun run = new WriteRun(batch, clock);
        String key = batch.idempotencyKey();
        List<StoredResult> results =
                batch.dedupeMessageIds() ? firstOfEachMessage(batch.results(), run) : batch.results();
        ChunkPlanner planner =
                new ChunkPlanner(batch.dedupeMessageIds(), r -> ChunkPlanner.utf8(StoredJson.rowJson(r.row())) + 200);
        if (key == null) {
            chunkWriter.write(planner.plan(results), run, null);
            return new IngestOutcome.Stored(run.duplicates(), run.itemWrites());
        }

        requireDistinctRequestIndexes(results);
        run.checkDeadline();
        IdempotencyLedger.Claim claim = ledger.claim(key, batch.requestDigest(), run);
        if (claim.earlier() != null) {
            return claim.earlier();
        }
        try {
            // A retry evaluates the request again and may store other results than the attempt
            // before it: whatever it finds counted is skipped, the rest is counted now.
            List<StoredResult> todo = new ArrayList<>(results);
            todo.removeIf(r -> claim.counted().contains(r.requestIndex()));
            chunkWriter.write(planner.plan(todo), run, claim.owner());
            ledger.complete(key, claim, batch.response(), run);
        } catch (RuntimeException | Error e) {
            ledger.release(key, claim.owner(), e);
            throw e;
        }
        return new IngestOutcome.Stored(run.duplicates(), run.itemWrites());
    }

    /** Stops the candidate writer threads; the DynamoDB client belongs to the caller. */
    @Override
    public void close() {
        candidateWriter.close();
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

    /** The counted set names results by request index: with a key, each must name one. */
    private static void requireDistinctRequestIndexes(List<StoredResult> results) {
        Set<Integer> seen = new HashSet<>();
        for (StoredResult r : results) {
            if (!seen.add(r.requestIndex())) {
                throw new IllegalArgumentException("results of a request with an Idempotency-Key need distinct"
                        + " requestIndex values; " + r.requestIndex() + " is repeated");
            }
        }
    }
}
