/**
 * Settings read from HOCON and validated once at start-up: {@link
 * io.epruntime.protocol.config.EpSettings} for the world's shape and the expert kernel. Defaults
 * and documentation of every key live in this module's {@code reference.conf}; environment
 * variables override them through {@code ${?VAR}} lines there.
 */
package io.epruntime.protocol.config;
