package org.dmarcreporter.core.discovery;

import java.util.concurrent.ConcurrentHashMap;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;

/**
 * Looks up the DMARC record at {@code _dmarc.<name>}. Parsed records are memoised by their text,
 * since the same few thousand records are read again and again from the DNS cache.
 */
public final class DmarcRecordLookup implements RecordSource {

    private static final int MAX_MEMO = 50_000;

    private final DnsResolver dns;
    private final ConcurrentHashMap<String, RecordParseResult> parsed = new ConcurrentHashMap<>();

    public DmarcRecordLookup(DnsResolver dns) {
        this.dns = dns;
    }

    @Override
    public RecordLookup lookup(String name) {
        TxtAnswer answer = dns.txt("_dmarc." + name);
        if (answer.status() == DnsStatus.TEMPFAIL) {
            return RecordLookup.TEMPFAIL;
        }
        DmarcRecord found = null;
        for (String txt : answer.records()) {
            // RFC 9989 §4.10 step 2: keep records that start with v=DMARC1; if several remain, discard all.
            if (parse(txt) instanceof RecordParseResult.Valid valid) {
                if (found != null) {
                    return RecordLookup.ABSENT;
                }
                found = valid.record();
            }
        }
        return found == null ? RecordLookup.ABSENT : new RecordLookup.Found(found);
    }

    private RecordParseResult parse(String txt) {
        RecordParseResult r = parsed.get(txt);
        if (r == null) {
            r = DmarcRecordParser.parse(txt);
            if (parsed.size() >= MAX_MEMO) {
                parsed.clear();
            }
            parsed.put(txt, r);
        }
        return r;
    }
}
