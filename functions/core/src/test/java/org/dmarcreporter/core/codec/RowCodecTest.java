package org.dmarcreporter.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.junit.jupiter.api.Test;

/**
 * {@link RowCodec} against databind, which wrote and read every stored row before it: random rows
 * must give the same bytes, and random damage to their JSON must be accepted or refused alike,
 * with the same value or the same message. Seeds are fixed so a failure repeats.
 */
class RowCodecTest {

    /** Databind as {@link StoredJson} used it for rows: the oracle. */
    private static final ObjectWriter DATABIND_WRITER = JsonWriting.MAPPER.writer();

    private static final ObjectReader DATABIND_READER = JsonWriting.MAPPER
            .readerFor(AggregateRow.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final RowCodec CODEC = new RowCodec(JsonWriting.MAPPER.getFactory());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Pieces of random text: what JSON must escape, what it must not, and what looks like a token. */
    private static final String[] PIECES = {
        "a",
        "Z",
        "0",
        "example.com",
        "192.0.2.1",
        "2001:db8::1",
        " ",
        "\"",
        "\\",
        "/",
        "\\u0041",
        "\u0000",
        "\u0001",
        "\b",
        "\t",
        "\n",
        "\f",
        "\r",
        "\u001f",
        "\u007f",
        "\u0080",
        "\u00e9",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\uffff",
        "\ud83d\ude00",
        "\ud800",
        "\udfff",
        "pass",
        "none",
        "null",
        "true",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "<script>"
    };

    private static final String[] ROW_FIELDS = {
        "sourceIp", "headerFrom", "envelopeFrom", "disposition", "dkimAligned", "spfAligned", "reasons", "dkim", "spf"
    };
    private static final String[] UNKNOWN_NAMES = {
        "addedLater", "key", "count", "SourceIp", "sourceip", "dkim ", "", "spf\u0000", "reason", "comment", "type"
    };
    private static final String[] TOKEN_TEXT = {
        "none", "pass", "quarantine", "reject", "NONE", "Pass", " pass", "pass ", "0", "1", "3", "4", "-1", "", "fail"
    };

    @Test
    void writesTheBytesDatabindWritesForRandomRows() throws Exception {
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            AggregateRow row = randomRow(random, i % 10 == 0);

            assertThat(CODEC.write(row))
                    .as("row %d: %s", i, row)
                    .isEqualTo(DATABIND_WRITER.writeValueAsString(row))
                    .isEqualTo(StoredJson.rowJson(row));
        }
    }

    @Test
    void randomRowsReadBackEqualOnTheFastPath() {
        Random random = new Random(2);
        for (int i = 0; i < 10_000; i++) {
            AggregateRow row = randomRow(random, false);
            String json = StoredJson.rowJson(row);

            // Non-null: the plain shape must not fall back to databind, or the speed-up is gone.
            assertThat(CODEC.readOrNull(json)).as(json).isEqualTo(row);
            assertThat(StoredJson.row(json)).isEqualTo(row);
            assertThat(databind(json)).isEqualTo(new Outcome(row, null));
        }
    }

    @Test
    void rowsWithNullRequiredFieldsAreRefusedAsDatabindRefusesThem() {
        Random random = new Random(3);
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            String json = StoredJson.rowJson(randomRow(random, true));

            Outcome expected = databind(json);
            assertThat(ours(json)).as(json).isEqualTo(expected);
            refused += expected.error() != null ? 1 : 0;
        }
        assertThat(refused).isGreaterThan(1_000);
    }

    @Test
    void damagedJsonIsAcceptedOrRefusedExactlyAsDatabindDoes() {
        Random random = new Random(4);
        int accepted = 0;
        int refused = 0;
        int fast = 0;
        int writerShaped = 0;
        for (int i = 0; i < 20_000; i++) {
            String json = mutate(random, StoredJson.rowJson(randomRow(random, false)));

            Outcome expected = databind(json);
            assertThat(ours(json)).as("case %d: %s", i, json).isEqualTo(expected);
            AggregateRow viaFastPath = CODEC.readOrNull(json);
            if (viaFastPath != null) {
                // The fast path alone must never accept what databind refuses or read it differently.
                assertThat(expected).as(json).isEqualTo(new Outcome(viaFastPath, null));
                fast++;
            }
            if (expected.error() == null) {
                accepted++;
                // Whatever the writer would write for the row, damaged or not, the fast path reads.
                if (json.equals(StoredJson.rowJson(expected.row()))) {
                    assertThat(viaFastPath).as(json).isNotNull();
                    writerShaped++;
                }
            } else {
                refused++;
            }
        }
        // The mutations must reach both sides, and those that keep the writer's shape the fast path.
        assertThat(accepted).isGreaterThan(2_500);
        assertThat(refused).isGreaterThan(2_500);
        assertThat(writerShaped).isGreaterThan(500);
        assertThat(fast).isGreaterThanOrEqualTo(writerShaped);
    }

    @Test
    void everyStringEscapeIsReadOnTheFastPathAsDatabindReadsIt() {
        String json = StoredJson.rowJson(StoredJsonTest.FULL_ROW);
        Map<String, String> escapes = new java.util.LinkedHashMap<>();
        escapes.put("\\\"", "\"");
        escapes.put("\\\\", "\\");
        escapes.put("\\/", "/");
        escapes.put("\\b", "\b");
        escapes.put("\\f", "\f");
        escapes.put("\\n", "\n");
        escapes.put("\\r", "\r");
        escapes.put("\\t", "\t");
        escapes.put("\\u0000", "\u0000");
        escapes.put("\\u0041", "A");
        escapes.put("\\u00e9\\u00E9", "\u00e9\u00e9");
        escapes.put("\\uFFFF\\uabCD", "\uffff\uabcd");
        escapes.put("\\ud83d\\ude00", "\ud83d\ude00"); // a surrogate pair
        escapes.put("\\uD83D\\uDE00", "\ud83d\ude00");
        escapes.put("\\ud83d\ude00", "\ud83d\ude00"); // escaped high, raw low
        escapes.put("\ud83d" + "\\ude00", "\ud83d\ude00"); // raw high, escaped low
        escapes.put("\ud83d\ude00", "\ud83d\ude00"); // raw pair
        escapes.put("\\ud800x", "\ud800x"); // lone surrogates pass, as in Jackson
        escapes.put("\\udfff", "\udfff");
        escapes.put("\u00e9\u2028\u007f\ufeff", "\u00e9\u2028\u007f\ufeff"); // raw non-ASCII
        escapes.put("a\\tb\\u0022c\\\\", "a\tb\"c\\");
        escapes.put("", "");
        for (Map.Entry<String, String> e : escapes.entrySet()) {
            for (String field :
                    List.of("\"headerFrom\":\"example.com\"", "\"comment\":\"a \\\"quoted\\\" note \u00e9\u2028\"")) {
                String name = field.substring(0, field.indexOf(':') + 1);
                String escaped = json.replace(field, name + "\"" + e.getKey() + "\"");
                assertThat(escaped).isNotEqualTo(json);

                AggregateRow row = CODEC.readOrNull(escaped);
                assertThat(row).as(escaped).isNotNull();
                assertThat(
                                field.startsWith("\"headerFrom")
                                        ? row.headerFrom()
                                        : row.reasons().get(1).comment())
                        .isEqualTo(e.getValue());
                assertThat(databind(escaped)).isEqualTo(new Outcome(row, null));
            }
        }
        // And the disposition's token is compared once decoded, as databind does.
        assertThat(CODEC.readOrNull(json.replace("\"quarantine\"", "\"qu\\u0061rantine\"")))
                .isEqualTo(StoredJsonTest.FULL_ROW);
    }

    @Test
    void badStringsFallBackAndFailAsDatabindFails() {
        String json = StoredJson.rowJson(StoredJsonTest.FULL_ROW);
        for (String bad : List.of(
                "\\x",
                "\\'",
                "\\U0041",
                "\\u",
                "\\u12",
                "\\u12G4",
                "\\u-123",
                "\\u\uff10\uff10\uff14\uff11", // fullwidth digits: Character.digit would take them
                "\\u 041",
                "\\",
                "\u0000",
                "\n",
                "\u001f",
                "a\tb")) {
            String broken = json.replace("\"example.com\",\"envelopeFrom\"", "\"" + bad + "\",\"envelopeFrom\"");
            assertThat(broken).isNotEqualTo(json);

            assertThat(CODEC.readOrNull(broken)).as(broken).isNull();
            Outcome expected = databind(broken);
            assertThat(expected.error()).as(broken).isNotNull();
            assertThat(ours(broken)).isEqualTo(expected);
        }
        // Cut off inside an escape or a string.
        String escaped = json.replace("example.com\",\"envelopeFrom", "ex\\u0041mple\",\"envelopeFrom");
        for (int end = 0; end < escaped.length(); end++) {
            String cut = escaped.substring(0, end);
            assertThat(CODEC.readOrNull(cut)).as(cut).isNull();
            assertThat(ours(cut)).as(cut).isEqualTo(databind(cut));
        }
    }

    @Test
    void validJsonInAnotherShapeFallsBackToDatabind() {
        String json = StoredJson.rowJson(StoredJsonTest.FULL_ROW);
        String bare = StoredJson.rowJson(StoredJsonTest.BARE_ROW);
        for (String other : List.of(
                " " + json,
                json + " ",
                json + "\n",
                json.replace(",\"headerFrom\"", ", \"headerFrom\""),
                json.replace("\"headerFrom\":", "\"headerFrom\" :"),
                json.replace("\"headerFrom\":", "\"header\\u0046rom\":"),
                json.replace(
                        "{\"sourceIp\":\"2001:db8::1\",\"headerFrom\":\"example.com\"",
                        "{\"headerFrom\":\"example.com\",\"sourceIp\":\"2001:db8::1\""),
                json.replace("{\"sourceIp\"", "{\"addedLater\":[1,{}],\"sourceIp\""),
                json.replace("\"disposition\":\"quarantine\"", "\"disposition\":\"2\""),
                json.replace(
                        "{\"domain\":\"example.com\",\"scope\":\"mfrom\",\"result\":\"pass\"}",
                        "{\"result\":\"pass\",\"domain\":\"example.com\",\"scope\":\"mfrom\"}"),
                bare.replace(",\"disposition\"", ",\"envelopeFrom\":null,\"disposition\""),
                bare.replace("[]}", "[],\"spf\":null}"),
                bare.replace("\"reasons\":[]", "\"reasons\":[{\"type\":\"other\",\"comment\":null}]"),
                bare.replace("\"reasons\":[]", "\"reasons\":[ ]"))) {
            assertThat(other).isNotIn(json, bare);
            Outcome expected = databind(other);
            assertThat(expected.error()).as(other).isNull();

            assertThat(CODEC.readOrNull(other)).as(other).isNull();
            assertThat(ours(other)).isEqualTo(expected);
        }
    }

    @Test
    void textsPastTheParsersLimitsAreLeftToDatabind() {
        String json = StoredJson.rowJson(StoredJsonTest.BARE_ROW);

        assertThat(new RowCodec(JsonFactory.builder()
                                .streamReadConstraints(StreamReadConstraints.builder()
                                        .maxStringLength(json.length())
                                        .build())
                                .build())
                        .readOrNull(json))
                .isEqualTo(StoredJsonTest.BARE_ROW);
        assertThat(new RowCodec(JsonFactory.builder()
                                .streamReadConstraints(StreamReadConstraints.builder()
                                        .maxStringLength(json.length() - 1)
                                        .build())
                                .build())
                        .readOrNull(json))
                .isNull();
    }

    @Test
    void errorsNameTheFieldAsDatabindDid() {
        String json = StoredJson.rowJson(StoredJsonTest.FULL_ROW);

        assertThat(ours(json.replace("\"result\":\"fail\"", "\"result\":null")).error())
                .startsWith("UnreadableRecordException: stored aggregate row is unreadable at /dkim/0/result: ");
        assertThat(ours(json.replace("\"disposition\":\"quarantine\"", "\"disposition\":\"maybe\""))
                        .error())
                .startsWith("UnreadableRecordException: stored aggregate row is unreadable at /disposition: ");
        assertThat(ours(json.replace("\"type\":\"other\",", "")).error())
                .startsWith("UnreadableRecordException: stored aggregate row is unreadable at /reasons/1/type: ")
                .contains("'type'");
        assertThat(ours("{\"sourceIp\":\"192.0.2.1\" oops").error())
                .isEqualTo("UnreadableRecordException: stored aggregate row is not JSON (column 25)");
        // Databind names the field when the text ends inside it; so must the codec.
        assertThat(ours(json.substring(0, 40)).error())
                .startsWith("UnreadableRecordException: stored aggregate row is unreadable at /headerFrom: ");
        assertThat(ours("null").error()).isEqualTo("UnreadableRecordException: stored aggregate row is JSON null");
    }

    // ---- the two readers ----

    /** What a reading gave: the row, or the exception's class and message. */
    record Outcome(AggregateRow row, String error) {}

    private static Outcome ours(String json) {
        try {
            return new Outcome(StoredJson.row(json), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Databind's reading, with the messages StoredJson made of its exceptions before RowCodec. */
    private static Outcome databind(String json) {
        String error;
        try {
            AggregateRow row = DATABIND_READER.readValue(json);
            if (row != null) {
                return new Outcome(row, null);
            }
            error = "stored aggregate row is JSON null";
        } catch (JsonMappingException e) {
            StringBuilder pointer = new StringBuilder();
            for (JsonMappingException.Reference r : e.getPath()) {
                pointer.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            error = "stored aggregate row is unreadable at "
                    + (pointer.length() == 0 ? "the top level" : pointer)
                    + ": "
                    + e.getOriginalMessage();
        } catch (JsonProcessingException e) {
            error = "stored aggregate row is not JSON"
                    + (e.getLocation() == null
                            ? ""
                            : " (column " + e.getLocation().getColumnNr() + ")");
        } catch (RuntimeException e) {
            return new Outcome(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return new Outcome(null, "UnreadableRecordException: " + error);
    }

    // ---- random rows ----

    private static AggregateRow randomRow(Random random, boolean nullRequired) {
        // With nullRequired, each required reference field is null now and then (the constructor allows it).
        int holes = nullRequired ? 4 : 0;
        List<OverrideReason> reasons = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            reasons.add(new OverrideReason(
                    maybeNull(random, holes, randomText(random)), random.nextBoolean() ? null : randomText(random)));
        }
        List<DkimAuth> dkim = new ArrayList<>();
        for (int n = random.nextInt(5); n > 0; n--) {
            dkim.add(new DkimAuth(
                    maybeNull(random, holes, randomText(random)),
                    maybeNull(random, holes, randomText(random)),
                    maybeNull(random, holes, randomText(random))));
        }
        ReportedDisposition[] dispositions = ReportedDisposition.values();
        return new AggregateRow(
                maybeNull(random, holes, randomText(random)),
                maybeNull(random, holes, randomText(random)),
                switch (random.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> "";
                    default -> randomText(random);
                },
                maybeNull(random, holes, dispositions[random.nextInt(dispositions.length)]),
                random.nextBoolean(),
                random.nextBoolean(),
                reasons,
                dkim,
                random.nextBoolean()
                        ? null
                        : new SpfAuth(
                                maybeNull(random, holes, randomText(random)),
                                maybeNull(random, holes, randomText(random)),
                                maybeNull(random, holes, randomText(random))));
    }

    private static <T> T maybeNull(Random random, int holes, T value) {
        return holes > 0 && random.nextInt(10 * holes) == 0 ? null : value;
    }

    private static String randomText(Random random) {
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
            b.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    // ---- damage ----

    private static String mutate(Random random, String json) {
        ObjectNode row = (ObjectNode) readTree(json);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            mutateTree(random, row);
        }
        String text = row.toString();
        return switch (random.nextInt(12)) {
            case 0 -> text.substring(0, random.nextInt(text.length())); // truncated
            case 1 -> // a known field twice, first written before the original
                "{\"" + ROW_FIELDS[random.nextInt(ROW_FIELDS.length)] + "\":" + randomValue(random, 1) + ","
                        + text.substring(1);
            case 2 -> // a known field twice, written after all the others
                text.substring(0, text.length() - 1) + ",\"" + ROW_FIELDS[random.nextInt(ROW_FIELDS.length)] + "\":"
                        + randomValue(random, 1) + "}";
            case 3 -> text + List.of(" ", "{}", "1", "null", " \n", "]", "x").get(random.nextInt(7)); // trailing
            case 4 -> " \t\n" + text + "\r\n"; // surrounding white space
            case 5 -> { // one character replaced
                int at = random.nextInt(text.length());
                yield text.substring(0, at) + "\"{}[],:0 nx\\".charAt(random.nextInt(12)) + text.substring(at + 1);
            }
            default -> text;
        };
    }

    /** Changes one field of the row or of one of its nested objects, or reorders one of them. */
    private static void mutateTree(Random random, ObjectNode row) {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(row);
        for (String list : List.of("reasons", "dkim")) {
            if (row.get(list) instanceof ArrayNode a) {
                a.forEach(e -> {
                    if (e instanceof ObjectNode o) {
                        objects.add(o);
                    }
                });
            }
        }
        if (row.get("spf") instanceof ObjectNode spf) {
            objects.add(spf);
        }
        ObjectNode target = objects.get(random.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        String name = names.isEmpty() ? "x" : names.get(random.nextInt(names.size()));
        switch (random.nextInt(9)) {
            case 0 -> target.remove(name);
            case 1 -> target.putNull(name);
            case 2 -> target.set(name, readTree(randomValue(random, 2)));
            case 3 -> target.set(UNKNOWN_NAMES[random.nextInt(UNKNOWN_NAMES.length)], readTree(randomValue(random, 3)));
            case 4 -> target.put(name, TOKEN_TEXT[random.nextInt(TOKEN_TEXT.length)]);
            case 5 -> { // same fields, another order
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(target.properties());
                Collections.shuffle(fields, random);
                target.removeAll();
                fields.forEach(f -> target.set(f.getKey(), f.getValue()));
            }
            case 6 -> { // an element of a list that is not a plain object
                if (row.get(random.nextBoolean() ? "reasons" : "dkim") instanceof ArrayNode a) {
                    a.insert(random.nextInt(a.size() + 1), readTree(randomValue(random, 1)));
                }
            }
            case 7 -> target.put(name, random.nextBoolean());
            default ->
                target.set(UNKNOWN_NAMES[random.nextInt(UNKNOWN_NAMES.length)] + random.nextInt(3), NODES.arrayNode());
        }
    }

    /** JSON text of a random value of any type, nested up to {@code depth}. */
    private static String randomValue(Random random, int depth) {
        int kinds = depth > 0 ? 11 : 9;
        return switch (random.nextInt(kinds)) {
            case 0 -> "null";
            case 1 -> "true";
            case 2 -> "false";
            case 3 -> "0";
            case 4 -> "1";
            case 5 -> "-2.5e3";
            case 6 -> "\"\"";
            case 7 -> NODES.textNode(randomText(random)).toString();
            case 8 ->
                NODES.textNode(TOKEN_TEXT[random.nextInt(TOKEN_TEXT.length)]).toString();
            case 9 ->
                "[" + randomValue(random, depth - 1) + (random.nextBoolean() ? "" : "," + randomValue(random, 0)) + "]";
            default ->
                random.nextBoolean()
                        ? "{}"
                        : "{\"" + List.of("domain", "type", "result", "a").get(random.nextInt(4)) + "\":"
                                + randomValue(random, depth - 1) + "}";
        };
    }

    private static JsonNode readTree(String json) {
        try {
            return JsonWriting.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
