package org.dmarcreporter.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import org.dmarcreporter.core.address.DomainNames;

/**
 * What the aggregate function was invoked with ({@code docs/send-now.md}, "In AWS"):
 *
 * <ul>
 *   <li>the EventBridge scheduled event ({@code "source": "aws.events"}, {@code "detail-type":
 *       "Scheduled Event"}) at 00:00 UTC, or {@code {"action": "midnight"}} by hand: the fan-out;
 *   <li>{@code {"action": "send-now", "domain": "example.com", "dryRun": false}} ({@code domain}
 *       and {@code dryRun} optional): send-now, answered with the run's summary.
 * </ul>
 *
 * Anything else is refused with {@link InvalidEvent} naming the field.
 */
sealed interface AggregateEvent {

    ObjectMapper JSON = new ObjectMapper();

    Set<String> SEND_NOW_FIELDS = Set.of("action", "domain", "dryRun");

    /** The fan-out of every settled unreported window onto the work queue. */
    record Midnight() implements AggregateEvent {}

    /** @param domain the one policy domain to report, or null for all */
    record SendNow(String domain, boolean dryRun) implements AggregateEvent {}

    /** A bad event: {@code field} is the JSON member at fault ({@code body} for the whole event). */
    final class InvalidEvent extends Exception {
        private final String field;

        InvalidEvent(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }

        String field() {
            return field;
        }
    }

    static AggregateEvent parse(byte[] event) throws InvalidEvent {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (IOException e) {
            throw new InvalidEvent("body", "is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEvent("body", "must be a JSON object such as {\"action\": \"send-now\"}");
        }
        if ("aws.events".equals(root.path("source").asText(null))
                && "Scheduled Event".equals(root.path("detail-type").asText(null))) {
            return new Midnight();
        }
        JsonNode action = root.get("action");
        if (action == null) {
            throw new InvalidEvent(
                    "action",
                    "is missing: send {\"action\": \"send-now\"} (optionally with \"domain\" and \"dryRun\"), "
                            + "{\"action\": \"midnight\"}, or the EventBridge scheduled event");
        }
        if (!action.isTextual()) {
            throw new InvalidEvent("action", "must be \"send-now\" or \"midnight\"");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SEND_NOW_FIELDS.contains(name)) {
                throw new InvalidEvent(name, "is not a field of this event (action, domain, dryRun)");
            }
        }
        switch (action.asText()) {
            case "midnight" -> {
                if (root.has("domain") || root.has("dryRun")) {
                    throw new InvalidEvent(
                            root.has("domain") ? "domain" : "dryRun",
                            "applies to send-now only; the midnight run reports every settled window for real");
                }
                return new Midnight();
            }
            case "send-now" -> {
                return new SendNow(domain(root.get("domain")), dryRun(root.get("dryRun")));
            }
            default ->
                throw new InvalidEvent(
                        "action", "must be \"send-now\" or \"midnight\", not \"" + clip(action.asText()) + "\"");
        }
    }

    private static String domain(JsonNode node) throws InvalidEvent {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidEvent("domain", "must be a domain name string");
        }
        return DomainNames.normalize(node.asText())
                .orElseThrow(() -> new InvalidEvent(
                        "domain", "\"" + clip(node.asText()) + "\" is not a domain name such as example.com"));
    }

    private static boolean dryRun(JsonNode node) throws InvalidEvent {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new InvalidEvent("dryRun", "must be true or false");
        }
        return node.booleanValue();
    }

    /** Echoed text is cut and kept printable, so a hostile event cannot fill or garble the answer. */
    private static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
