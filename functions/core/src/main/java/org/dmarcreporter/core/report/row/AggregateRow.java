package org.dmarcreporter.core.report.row;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;

/**
 * One distinct row of an aggregate report: everything a {@code record} element says except its
 * count (RFC 9990 §3.1.1.7-§3.1.1.13). Results that produce equal rows in one reporting window
 * are counted together; storage therefore grows with distinct rows, not with messages.
 *
 * @param envelopeFrom MAIL FROM domain; {@code ""} for the null sender; null when unknown
 * @param dkimAligned  {@code policy_evaluated/dkim}: an aligned DKIM pass
 * @param spfAligned   {@code policy_evaluated/spf}: an aligned SPF pass
 * @param dkim         every signature evaluated, in RFC 9990 §3.1.3 priority order, at most 100
 * @param spf          the MAIL FROM SPF result, or null when none was given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "sourceIp",
    "headerFrom",
    "envelopeFrom",
    "disposition",
    "dkimAligned",
    "spfAligned",
    "reasons",
    "dkim",
    "spf"
})
public record AggregateRow(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String sourceIp,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String headerFrom,

        String envelopeFrom,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        ReportedDisposition disposition,

        @JsonProperty(required = true) boolean dkimAligned,
        @JsonProperty(required = true) boolean spfAligned,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        List<OverrideReason> reasons,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        List<DkimAuth> dkim,

        SpfAuth spf) {

    public AggregateRow {
        reasons = List.copyOf(reasons);
        dkim = List.copyOf(dkim);
    }

    /**
     * A string that is equal for two rows exactly when the rows are equal; stores use it (or a
     * digest of it) as the counter's key. Fields are separated by characters that cannot occur
     * in them (domains, IPs and result tokens have no control characters; comments are escaped).
     */
    public String key() {
        StringBuilder b = new StringBuilder(96);
        b.append(sourceIp)
                .append('\u001f')
                .append(headerFrom)
                .append('\u001f')
                .append(envelopeFrom == null ? "\u0000" : envelopeFrom)
                .append('\u001f')
                .append(disposition.token())
                .append('\u001f')
                .append(dkimAligned ? 'p' : 'f')
                .append(spfAligned ? 'p' : 'f')
                .append('\u001f');
        for (OverrideReason r : reasons) {
            b.append(r.type()).append('\u001e').append(escape(r.comment())).append('\u001d');
        }
        b.append('\u001f');
        for (DkimAuth d : dkim) {
            b.append(d.domain())
                    .append('\u001e')
                    .append(d.selector())
                    .append('\u001e')
                    .append(d.result())
                    .append('\u001d');
        }
        b.append('\u001f');
        if (spf != null) {
            b.append(spf.domain())
                    .append('\u001e')
                    .append(spf.scope())
                    .append('\u001e')
                    .append(spf.result());
        }
        return b.toString();
    }

    private static String escape(String s) {
        if (s == null) {
            return "\u0000";
        }
        return s.replace("\\", "\\\\")
                .replace("\u001d", "\\d")
                .replace("\u001e", "\\e")
                .replace("\u001f", "\\f");
    }
}
