package org.dmarcreporter.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.core.address.IpAddresses;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;

/**
 * Reads result objects ({@code docs/ingest-api.md}) from parsed JSON and checks every field, collecting all
 * problems instead of stopping at the first, so the error answer names each bad field.
 * Unknown fields are ignored. Values are kept as sent except {@code sourceIp}, which is
 * written in canonical form.
 */
public final class ResultReader {

    static final int MAX_MESSAGE_ID = 512;
    static final int MAX_NAME = 320;
    /** Header blocks are kept in failure candidates; this keeps one DynamoDB item under 400 KB. */
    static final int MAX_HEADERS = 64 * 1024;

    static final int MAX_RECIPIENTS = 1000;
    static final int MAX_SIGNATURES = 1000;

    private ResultReader() {}

    /** A request body: one result or a batch of them. */
    public sealed interface Outcome {
        record Results(List<AuthenticationResult> results, boolean batch) implements Outcome {}

        record Invalid(List<FieldError> errors) implements Outcome {}
    }

    /**
     * Reads a request body.
     *
     * @param now the server's clock: a {@code receivedAt} more than {@link IngestLimits#MAX_RECEIVED_AHEAD}
     *            after it is refused
     */
    public static Outcome read(JsonNode body, Instant now) {
        Instant latest = now.plus(IngestLimits.MAX_RECEIVED_AHEAD);
        List<FieldError> errors = new ArrayList<>();
        if (body.isObject()) {
            AuthenticationResult r = readOne(body, null, errors, latest);
            return errors.isEmpty() ? new Outcome.Results(List.of(r), false) : new Outcome.Invalid(errors);
        }
        if (!body.isArray()) {
            return new Outcome.Invalid(
                    List.of(new FieldError(null, "body", "must be a result object or an array of result objects")));
        }
        if (body.size() > IngestLimits.MAX_BATCH) {
            return new Outcome.Invalid(List.of(new FieldError(
                    null,
                    "body",
                    "a batch holds at most " + IngestLimits.MAX_BATCH + " results, this one has " + body.size())));
        }
        List<AuthenticationResult> results = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            JsonNode item = body.get(i);
            if (!item.isObject()) {
                errors.add(new FieldError(i, "body", "must be a result object"));
                continue;
            }
            results.add(readOne(item, i, errors, latest));
        }
        return errors.isEmpty() ? new Outcome.Results(results, true) : new Outcome.Invalid(errors);
    }

    /**
     * Reads one result object, such as one stored before (whose {@code receivedAt} is not bounded
     * again); problems go to {@code errors} (the returned value is then unusable).
     */
    public static AuthenticationResult readOne(JsonNode o, Integer index, List<FieldError> errors) {
        return readOne(o, index, errors, null);
    }

    private static AuthenticationResult readOne(
            JsonNode o, Integer index, List<FieldError> errors, Instant latestReceivedAt) {
        Fields f = new Fields(o, index, errors);
        String messageId = f.text("messageId", false, MAX_MESSAGE_ID, false);
        Instant receivedAt = f.parsed(
                "receivedAt",
                false,
                ResultReader::parseTimestamp,
                "must be an RFC 3339 date-time such as 2026-11-27T10:15:30Z");
        if (receivedAt != null && latestReceivedAt != null && receivedAt.isAfter(latestReceivedAt)) {
            // Windows follow the server's clock, so this is only kept for failure reports; a date
            // far ahead is a broken clock or a made-up value.
            f.error(
                    "receivedAt",
                    "must not be more than " + IngestLimits.MAX_RECEIVED_AHEAD.toHours()
                            + " hours ahead of the server's clock ("
                            + latestReceivedAt.minus(IngestLimits.MAX_RECEIVED_AHEAD)
                            + ")");
            receivedAt = null;
        }
        String sourceIp = f.parsed(
                "sourceIp", true, s -> IpAddresses.normalize(s).orElse(null), "must be an IPv4 or IPv6 address");
        Integer sourcePort = f.port("sourcePort");
        String helo = f.text("helo", false, MAX_NAME, false);
        String envelopeFrom = f.text("envelopeFrom", false, MAX_NAME, true);
        List<String> envelopeTo = f.textList("envelopeTo", MAX_NAME);
        String headerFrom = f.text("headerFrom", true, 2048, false);
        SpfCheck spf = readSpf(o.get("spf"), f);
        List<DkimCheck> dkim = readDkim(o.get("dkim"), f);
        String headers = f.text("headers", false, MAX_HEADERS, true, true);
        return new AuthenticationResult(
                messageId,
                receivedAt,
                sourceIp,
                sourcePort,
                helo,
                envelopeFrom,
                envelopeTo,
                headerFrom,
                spf,
                dkim,
                headers);
    }

    private static SpfCheck readSpf(JsonNode spf, Fields f) {
        if (spf == null || spf.isNull()) {
            return null;
        }
        if (!spf.isObject()) {
            f.error("spf", "must be an object with result, domain and scope");
            return null;
        }
        Fields s = f.nested(spf, "spf.");
        SpfResult result = s.parsed(
                "result",
                true,
                v -> SpfResult.fromToken(v).orElse(null),
                "must be one of none, neutral, pass, fail, softfail, temperror, permerror");
        String domain = s.text("domain", false, MAX_NAME, false);
        SpfScope scope = s.parsed("scope", false, v -> SpfScope.fromToken(v).orElse(null), "must be mfrom or helo");
        return result == null ? null : new SpfCheck(result, domain, scope);
    }

    private static List<DkimCheck> readDkim(JsonNode dkim, Fields f) {
        if (dkim == null || dkim.isNull()) {
            return List.of();
        }
        if (!dkim.isArray()) {
            f.error("dkim", "must be an array with one object per signature");
            return List.of();
        }
        if (dkim.size() > MAX_SIGNATURES) {
            f.error("dkim", "holds at most " + MAX_SIGNATURES + " signatures");
            return List.of();
        }
        List<DkimCheck> out = new ArrayList<>(dkim.size());
        for (int i = 0; i < dkim.size(); i++) {
            String name = "dkim[" + i + "]";
            JsonNode sig = dkim.get(i);
            if (!sig.isObject()) {
                f.error(name, "must be an object with result, domain and selector");
                continue;
            }
            Fields s = f.nested(sig, name + ".");
            DkimResult result = s.parsed(
                    "result",
                    true,
                    v -> DkimResult.fromToken(v).orElse(null),
                    "must be one of none, pass, fail, policy, neutral, temperror, permerror");
            String domain = s.text("domain", true, MAX_NAME, false);
            String selector = s.text("selector", false, MAX_NAME, false);
            boolean requested = s.bool("reportRequested");
            if (result != null) {
                out.add(new DkimCheck(result, domain, selector, requested));
            }
        }
        return out;
    }

    /** RFC 3339 §5.6 date-time, ASCII digits only; the ISO parser alone also takes other forms. */
    private static final Pattern DATE_TIME = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:([0-9]{2})(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    static Instant parseTimestamp(String s) {
        Matcher m = DATE_TIME.matcher(s);
        if (!m.matches()) {
            return null;
        }
        // RFC 3339 §5.7: a leap second (second 60) at the end of a UTC month. java.time has no
        // second 60; like its ISO_INSTANT parser, read it as the second before.
        boolean leap = m.group(1).equals("60");
        String text = leap ? s.substring(0, m.start(1)) + "59" + s.substring(m.end(1)) : s;
        try {
            // RFC 3339 §5.6 allows lower-case t/z; the ISO parser wants upper case.
            OffsetDateTime t =
                    OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            OffsetDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC);
            if (leap
                    && !(utc.getHour() == 23
                            && utc.getMinute() == 59
                            && utc.toLocalDate().equals(utc.toLocalDate().with(TemporalAdjusters.lastDayOfMonth())))) {
                return null;
            }
            return t.toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Field access for one object, with error collection. */
    private static final class Fields {
        private final JsonNode object;
        private final Integer index;
        private final List<FieldError> errors;
        private final String prefix;

        Fields(JsonNode object, Integer index, List<FieldError> errors) {
            this(object, index, errors, "");
        }

        private Fields(JsonNode object, Integer index, List<FieldError> errors, String prefix) {
            this.object = object;
            this.index = index;
            this.errors = errors;
            this.prefix = prefix;
        }

        Fields nested(JsonNode child, String childPrefix) {
            return new Fields(child, index, errors, prefix + childPrefix);
        }

        void error(String field, String message) {
            errors.add(new FieldError(index, prefix + field, message));
        }

        String text(String name, boolean required, int maxLength, boolean allowEmpty) {
            return text(name, required, maxLength, allowEmpty, false);
        }

        /**
         * A string field. CR and LF are refused unless {@code multiline}: these values end up in
         * report headers, where a line break would let a sender inject header fields.
         */
        String text(String name, boolean required, int maxLength, boolean allowEmpty, boolean multiline) {
            JsonNode v = object.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    error(name, "is required");
                }
                return null;
            }
            return checkedText(name, v, maxLength, allowEmpty, multiline);
        }

        /** The string in {@code v}, or null after recording what is wrong with it. */
        private String checkedText(String field, JsonNode v, int maxLength, boolean allowEmpty, boolean multiline) {
            if (!v.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            String s = v.textValue();
            if (s.isEmpty() && !allowEmpty) {
                error(field, "must not be empty");
                return null;
            }
            if (s.length() > maxLength) {
                error(field, "must be at most " + maxLength + " characters");
                return null;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean lineBreak = c == '\r' || c == '\n';
                if ((c < 0x20 && c != '\t' && !(multiline && lineBreak)) || c == 0x7f) {
                    error(field, lineBreak ? "must not contain CR or LF" : "must not contain control characters");
                    return null;
                }
            }
            return s;
        }

        <T> T parsed(String name, boolean required, Function<String, T> parse, String problem) {
            JsonNode v = object.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    error(name, "is required");
                }
                return null;
            }
            if (!v.isTextual()) {
                error(name, "must be a string: " + problem);
                return null;
            }
            T value = parse.apply(v.textValue());
            if (value == null) {
                error(name, problem + ", not '" + abbreviate(v.textValue()) + "'");
            }
            return value;
        }

        Integer port(String name) {
            JsonNode v = object.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0 || v.intValue() > 65535) {
                error(name, "must be a whole number from 0 to 65535");
                return null;
            }
            return v.intValue();
        }

        boolean bool(String name) {
            JsonNode v = object.get(name);
            if (v == null || v.isNull()) {
                return false;
            }
            if (!v.isBoolean()) {
                error(name, "must be true or false");
                return false;
            }
            return v.booleanValue();
        }

        List<String> textList(String name, int maxLength) {
            JsonNode v = object.get(name);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                error(name, "must be an array of strings");
                return List.of();
            }
            if (v.size() > MAX_RECIPIENTS) {
                error(name, "holds at most " + MAX_RECIPIENTS + " addresses");
                return List.of();
            }
            List<String> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                String s = checkedText(name + "[" + i + "]", v.get(i), maxLength, false, false);
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }

        private static String abbreviate(String s) {
            return s.length() <= 64 ? s : s.substring(0, 61) + "...";
        }
    }
}
