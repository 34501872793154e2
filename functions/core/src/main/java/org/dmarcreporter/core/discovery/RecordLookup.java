package org.dmarcreporter.core.discovery;

import org.dmarcreporter.core.record.DmarcRecord;

/** What one {@code _dmarc.<name>} query found (RFC 9989 §4.10 steps 1-2 and 6-7). */
public sealed interface RecordLookup {

    /** Exactly one record starting with {@code v=DMARC1}. */
    record Found(DmarcRecord record) implements RecordLookup {}

    /** No DMARC record: NXDOMAIN, no TXT starting with {@code v=DMARC1}, or several (all discarded). */
    record Absent() implements RecordLookup {}

    /** The query failed transiently. */
    record TempFail() implements RecordLookup {}

    RecordLookup ABSENT = new Absent();
    RecordLookup TEMPFAIL = new TempFail();
}
