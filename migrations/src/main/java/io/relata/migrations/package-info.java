/**
 * Relata's PostgreSQL schema: the Flyway SQL scripts in {@code db/relata} and the
 * {@link io.relata.migrations.Migrator} that applies them.
 */
package io.relata.migrations;
