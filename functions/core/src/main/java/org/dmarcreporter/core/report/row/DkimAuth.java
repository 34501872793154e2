package org.dmarcreporter.core.report.row;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/** One {@code auth_results/dkim}: raw result of a signature (RFC 9990 §3.1.1.12). */
@JsonPropertyOrder({"domain", "selector", "result"})
public record DkimAuth(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String domain,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String selector,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String result) {}
