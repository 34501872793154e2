package org.dmarcreporter.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds per stored aggregate row, written ({@link StoredJson#rowJson}, on ingest) and read
 * ({@link StoredJson#row}, when reports are sent), by the codec (a streaming generator to write, a
 * hand-written scan to read) against Jackson databind configured as {@code JsonWriting} was (the
 * codec's oracle in its tests). Rows are the kind a store holds: two DKIM signatures, an SPF
 * result, now and then an override reason.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class StoredRowJsonBenchmark {

    private static final int ROWS = 1024;

    private AggregateRow[] rows;
    private String[] json;
    private ObjectWriter databindWriter;
    private ObjectReader databindReader;
    private int next;

    @Setup
    public void setUp() throws JsonProcessingException {
        ObjectMapper mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        databindWriter = mapper.writer();
        databindReader = mapper.readerFor(AggregateRow.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        rows = new AggregateRow[ROWS];
        json = new String[ROWS];
        for (int i = 0; i < ROWS; i++) {
            boolean pass = (i & 3) != 0;
            rows[i] = new AggregateRow(
                    "192.0." + (i >>> 8) + "." + (i & 255),
                    "example" + (i % 40) + ".com",
                    (i & 7) == 0 ? null : "bounce.example" + (i % 40) + ".com",
                    pass ? ReportedDisposition.PASS : ReportedDisposition.REJECT,
                    pass,
                    (i & 1) == 0,
                    (i % 16) == 0 ? List.of(new OverrideReason("local_policy", "forwarded \u00e9")) : List.of(),
                    List.of(
                            new DkimAuth("example" + (i % 40) + ".com", "s2026", pass ? "pass" : "fail"),
                            new DkimAuth("esp.example.net", "k1", "pass")),
                    new SpfAuth("bounce.example" + (i % 40) + ".com", "mfrom", (i & 1) == 0 ? "pass" : "softfail"));
            json[i] = StoredJson.rowJson(rows[i]);
            if (!json[i].equals(databindWriter.writeValueAsString(rows[i]))) {
                throw new IllegalStateException("the codec and databind write different JSON: " + json[i]);
            }
        }
    }

    private int index() {
        int i = next;
        next = (i + 1) & (ROWS - 1);
        return i;
    }

    @Benchmark
    public String writeCodec() {
        return StoredJson.rowJson(rows[index()]);
    }

    @Benchmark
    public String writeDatabind() throws JsonProcessingException {
        return databindWriter.writeValueAsString(rows[index()]);
    }

    @Benchmark
    public AggregateRow readCodec() {
        return StoredJson.row(json[index()]);
    }

    @Benchmark
    public AggregateRow readDatabind() throws JsonProcessingException {
        return databindReader.readValue(json[index()]);
    }
}
