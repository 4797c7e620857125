package io.procwatch.engine;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The core module's tests run with the core's own dependencies only, as an embedder's application would: no CLI
 * library and no logging binding comes along (the host's SLF4J binding and configuration stay in charge).
 */
class CoreClasspathTest {

    @Test
    void noCliLibraryComesAlong() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("picocli.CommandLine"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("me.tongfei.progressbar.ProgressBar"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.procwatch.cli.ProcwatchCli"));
    }

    @Test
    void noLoggingBindingComesAlong() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.slf4j.simple.SimpleLogger"));
        // SLF4J without a provider falls back to its no-operation factory: the host would bring its own.
        assertInstanceOf(NOPLoggerFactory.class, LoggerFactory.getILoggerFactory());
    }
}
