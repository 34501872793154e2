package org.dmarcreporter.core.discovery;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers the records looked up while evaluating one message: policy discovery and the
 * Organizational Domain walks for the From, DKIM and SPF domains ask for the same names again.
 * Not thread-safe; one per message.
 */
public final class MessageRecordSource implements RecordSource {

    private final RecordSource source;
    private final Map<String, RecordLookup> seen = new HashMap<>(8);

    public MessageRecordSource(RecordSource source) {
        this.source = source;
    }

    @Override
    public RecordLookup lookup(String name) {
        RecordLookup found = seen.get(name);
        if (found == null) {
            found = source.lookup(name);
            seen.put(name, found);
        }
        return found;
    }
}
