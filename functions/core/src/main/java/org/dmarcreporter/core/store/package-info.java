/**
 * The {@link ResultStore} port and what passes through it: the batch of one
 * request, counter increments, window policies, outcomes, the retention periods that set TTLs.
 */
package org.dmarcreporter.core.store;
