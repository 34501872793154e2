package org.dmarcreporter.core.report.routing;

import java.util.List;
import org.dmarcreporter.core.report.destination.Destination;

/**
 * The reports one candidate becomes.
 *
 * @param reports  what to send, in order: DMARC, SPF, DKIM variants
 * @param notSent  {@code ruf} URIs not used ({@link Destination.Skip}) or to be asked again later
 *                 ({@link Destination.Defer}), with their reasons
 * @param notes    why other reports were not planned (loop, no record, sampled out, ...), for logs
 */
public record FailureReportPlan(List<PlannedReport> reports, List<Destination> notSent, List<String> notes) {

    public FailureReportPlan {
        reports = List.copyOf(reports);
        notSent = List.copyOf(notSent);
        notes = List.copyOf(notes);
    }

    /** True when a DNS question failed temporarily and a later try may plan more. */
    public boolean deferred() {
        return notSent.stream().anyMatch(Destination.Defer.class::isInstance);
    }
}
