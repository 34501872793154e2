package org.dmarcreporter.core.window;

/**
 * The reporting window a stored result counts in: one policy domain, from {@code start} (epoch
 * seconds, inclusive) until the next UTC midnight or the next send-now cut, whichever comes first.
 * See {@code docs/reporting-windows.md}.
 */
public record ReportingWindow(String policyDomain, long start) {}
