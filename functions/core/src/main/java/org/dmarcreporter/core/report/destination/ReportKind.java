package org.dmarcreporter.core.report.destination;

/** Aggregate ({@code rua}) or failure ({@code ruf}) reports: which URI list a record gives. */
public enum ReportKind {
    AGGREGATE("rua"),
    FAILURE("ruf");

    private final String tag;

    ReportKind(String tag) {
        this.tag = tag;
    }

    /** The record tag that lists this kind's destinations. */
    public String tag() {
        return tag;
    }
}
