package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * One DKIM signature's result ({@code dkim[]} in {@code docs/ingest-api.md}).
 *
 * @param reportRequested the signature's {@code r=y} (RFC 6651)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"result", "domain", "selector", "reportRequested"})
public record DkimCheck(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        DkimResult result,

        String domain,
        String selector,
        @JsonProperty(required = true) boolean reportRequested) {
    public DkimCheck {
        if (result == null) {
            throw new IllegalArgumentException("dkim.result is required");
        }
    }
}
