/**
 * The reporting settings (SAM parameters in AWS, the {@code --config} file locally) and the
 * reader that applies their defaults and names the key of any bad value.
 */
package org.dmarcreporter.core.settings;
