/**
 * The ingest use case: check a request, evaluate each result, answer with verdicts and store
 * what the reports need through the {@link org.dmarcreporter.core.store.ResultStore} port.
 */
package org.dmarcreporter.core.intake;
