/**
 * JSON shapes written and read by both the API and the stores: verdicts, result objects, and the
 * stored report rows and failure candidates, so DynamoDB and SQLite hold the same bytes.
 */
package org.dmarcreporter.core.codec;
