package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * The receiver's SPF result ({@code spf} in {@code docs/ingest-api.md}).
 *
 * @param domain the domain SPF checked; may be null, then the envelope-from (or HELO) domain is used
 * @param scope  {@code mfrom} unless the receiver says {@code helo}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"result", "domain", "scope"})
public record SpfCheck(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        SpfResult result,

        String domain,
        SpfScope scope) {
    public SpfCheck {
        if (result == null) {
            throw new IllegalArgumentException("spf.result is required");
        }
        scope = scope == null ? SpfScope.MFROM : scope;
    }
}
