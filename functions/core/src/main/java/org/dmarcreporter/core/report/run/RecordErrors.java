package org.dmarcreporter.core.report.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.ReportUri;
import org.dmarcreporter.core.report.destination.ReportDestinations;

/**
 * The problems of a DMARC record that an aggregate report names in its {@code error} element
 * (RFC 9990 §3.1.5: "an invalid rua or sp"). They come from the record's text alone, never from
 * DNS answers or delivery, so every send of one report (same window, same record) carries the
 * same XML.
 */
final class RecordErrors {

    private static final Set<String> ALIGNMENT = Set.of("r", "s");
    private static final Set<String> PSD = Set.of("y", "n", "u");
    private static final Set<String> TESTING = Set.of("y", "n");

    private RecordErrors() {}

    /** In this order: unusable and unsupported {@code rua} URIs, then invalid tag values. */
    static List<String> of(DmarcRecord record) {
        List<String> errors = new ArrayList<>();
        for (String bad : DmarcRecordParser.unusableReportUris(record.text(), "rua")) {
            errors.add("unusable rua URI ignored: " + bad);
        }
        for (ReportUri uri : record.aggregateUris()) {
            String problem = ReportDestinations.neverUsable(uri);
            if (problem != null) {
                errors.add(uri.uri() + ": " + problem);
            }
        }
        Map<String, String> tags = DmarcRecordParser.publishedTags(record.text());
        for (String tag : List.of("p", "sp", "np")) {
            String value = tags.get(tag);
            if (value != null
                    && Policy.fromToken(value.toLowerCase(Locale.ROOT)).isEmpty()) {
                // RFC 9989 §4.10.1: with a valid rua the record is handled as p=none.
                errors.add(tag + "=" + value + " is not a valid policy: handled as p=none");
            }
        }
        fallBack(errors, tags, "adkim", ALIGNMENT, "r");
        fallBack(errors, tags, "aspf", ALIGNMENT, "r");
        fallBack(errors, tags, "t", TESTING, "n");
        fallBack(errors, tags, "psd", PSD, "u");
        String fo = tags.get("fo");
        if (fo != null && !fo.equals(record.failureOptions().text())) {
            errors.add("fo=" + fo + " is not valid: the default fo=0 applies");
        }
        return List.copyOf(errors);
    }

    /** RFC 9989 §4.7: a syntax error in a tag falls back to the tag's default. */
    private static void fallBack(
            List<String> errors, Map<String, String> tags, String tag, Set<String> valid, String dflt) {
        String value = tags.get(tag);
        if (value != null && !valid.contains(value.toLowerCase(Locale.ROOT))) {
            errors.add(tag + "=" + value + " is not valid: the default " + tag + "=" + dflt + " applies");
        }
    }
}
