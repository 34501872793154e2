/**
 * Sending a finished message: the {@code MailTransport} port (outbox, SMTP relay and SES implement
 * it), its per-recipient outcomes, and the checks every transport makes before sending.
 */
package org.dmarcreporter.core.report.delivery;
