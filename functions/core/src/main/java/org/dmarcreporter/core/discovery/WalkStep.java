package org.dmarcreporter.core.discovery;

/** One query of a DNS Tree Walk: the name asked and what was found there. */
public record WalkStep(String name, int labels, RecordLookup lookup) {}
