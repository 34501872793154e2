package org.dmarcreporter.core.discovery;

/**
 * Finds the DMARC record that applies to an Author Domain (RFC 9989 §4.10.1) and the
 * Organizational Domain of a name (§4.10.2). Give it a {@link MessageRecordSource} so that the
 * walks made for one message share their answers.
 */
public final class PolicyDiscovery {

    private final RecordSource lookup;

    public PolicyDiscovery(RecordSource lookup) {
        this.lookup = lookup;
    }

    public DiscoveredPolicy discover(String authorDomain) {
        RecordLookup own = lookup.lookup(authorDomain);
        if (own instanceof RecordLookup.Found f) {
            return new DiscoveredPolicy.Found(authorDomain, f.record(), true);
        }
        if (own instanceof RecordLookup.TempFail) {
            return new DiscoveredPolicy.TempError();
        }
        TreeWalk walk = TreeWalk.walk(lookup, authorDomain);
        if (walk.tempFailed()) {
            return new DiscoveredPolicy.TempError();
        }
        WalkStep step = walk.applicableStep();
        if (step == null) {
            return new DiscoveredPolicy.NotFound();
        }
        return new DiscoveredPolicy.Found(step.name(), ((RecordLookup.Found) step.lookup()).record(), false);
    }

    /**
     * The Organizational Domain of {@code name} (RFC 9989 §4.10.2), or null when the walk met a
     * transient DNS error.
     */
    public String organizationalDomain(String name) {
        TreeWalk walk = TreeWalk.walk(lookup, name);
        return walk.tempFailed() ? null : walk.organizationalDomain();
    }
}
