package org.dmarcreporter.core.discovery;

/** Where a Tree Walk gets the DMARC record of a name from. */
@FunctionalInterface
public interface RecordSource {

    /** What {@code _dmarc.<name>} holds. */
    RecordLookup lookup(String name);
}
