package org.dmarcreporter.core.dns;

import java.util.List;

/** Answer to a TXT question: status plus the records (each with its strings concatenated). */
public record TxtAnswer(DnsStatus status, List<String> records) {

    public static final TxtAnswer NXDOMAIN = new TxtAnswer(DnsStatus.NXDOMAIN, List.of());
    public static final TxtAnswer TEMPFAIL = new TxtAnswer(DnsStatus.TEMPFAIL, List.of());

    public TxtAnswer {
        records = List.copyOf(records);
    }

    public static TxtAnswer of(List<String> records) {
        return new TxtAnswer(DnsStatus.NOERROR, records);
    }
}
