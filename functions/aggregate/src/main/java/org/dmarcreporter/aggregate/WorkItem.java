package org.dmarcreporter.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * The body of one work-queue message: one (domain, window) of the fan-out with the DMARC record
 * its index entry holds, so the worker needs no extra read to find it:
 * {@code {"domain": "example.com", "windowStart": 1764547200, "policyRecord": "v=DMARC1; ..."}}.
 */
final class WorkItem {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkItem() {}

    static String toBody(IndexedWindow item) {
        ObjectNode node = JSON.createObjectNode();
        node.put("domain", item.window().policyDomain());
        node.put("windowStart", item.window().start());
        if (item.policyRecord() != null) {
            node.put("policyRecord", item.policyRecord());
        }
        return node.toString();
    }

    /** @throws IllegalArgumentException saying what is wrong with a body that is not a work item */
    static IndexedWindow fromBody(String body) {
        JsonNode node;
        try {
            node = body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the message body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the message body is not a JSON object");
        }
        JsonNode domain = node.get("domain");
        if (domain == null || !domain.isTextual() || !DomainNames.isValidHostName(domain.asText())) {
            throw new IllegalArgumentException("domain is missing or not a normalised domain name");
        }
        JsonNode start = node.get("windowStart");
        if (start == null || !start.canConvertToLong() || !start.isIntegralNumber() || start.asLong() < 0) {
            throw new IllegalArgumentException("windowStart is missing or not epoch seconds");
        }
        JsonNode record = node.get("policyRecord");
        if (record != null && !record.isNull() && !record.isTextual()) {
            throw new IllegalArgumentException("policyRecord is not a string");
        }
        return new IndexedWindow(
                new ReportingWindow(domain.asText(), start.asLong()),
                record == null || record.isNull() ? null : record.asText());
    }
}
