package org.dmarcreporter.core.report.run;

/**
 * What to run.
 *
 * @param sendNow      write a send-now cut first (ending the open windows), wait for them to settle
 * @param policyDomain only this domain, or null for all
 * @param dryRun       write the messages that would go out to the {@link AggregateRun.DryRunSink}; send,
 *                     record and cut nothing (the open window is shown as if cut now)
 */
public record RunRequest(boolean sendNow, String policyDomain, boolean dryRun) {

    /** The 00:00 UTC run; it is also the catch-up of every unreported settled window. */
    public static RunRequest midnight() {
        return new RunRequest(false, null, false);
    }

    public static RunRequest sendNow(String policyDomain) {
        return new RunRequest(true, policyDomain, false);
    }
}
