/**
 * Sending failure reports (RFC 9991): {@link
 * org.dmarcreporter.core.report.dispatch.FailureDispatcher}, the use case the AWS failure function
 * (DynamoDB stream) and the local background sender both call, its {@link
 * org.dmarcreporter.core.report.dispatch.DispatchResult}, and the ports it needs from them: {@link
 * org.dmarcreporter.core.report.dispatch.FailureLedger} (send markers, merge slots, rate-limit
 * buckets), {@link org.dmarcreporter.core.report.dispatch.FlushScheduler} (run a slot's flush when
 * its window ends) and {@link org.dmarcreporter.core.report.dispatch.FailureMetrics} (counters).
 *
 * <p>What each part guarantees ({@code docs/failure-reports.md}):
 * <ul>
 *   <li>send marker per (report, recipient), a conditional write before sending: a retried stream
 *       batch or a restarted sender never sends the same report twice. A crash between the marker
 *       and the send loses that report: at most once, since failure reports are best effort;</li>
 *   <li>merge slot per (recipient, policy domain, Auth-Failure, source IP): the first incident of a
 *       window goes out at once, like ones within the window go out as one report with
 *       {@code Incidents: N} (RFC 9991 §8.1, RFC 5965 §3.3), so a flood from one source cannot
 *       flood a recipient;</li>
 *   <li>rate limits per destination address per hour and overall per minute: output is bounded
 *       whatever the input; a refused report is held in its slot and goes out merged later, and is
 *       dropped (counted) only after the longest hold.</li>
 * </ul>
 */
package org.dmarcreporter.core.report.dispatch;
