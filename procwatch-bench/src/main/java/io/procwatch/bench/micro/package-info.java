/**
 * JMH micro-benchmarks for the per-event figures the docs quote (the Sigma prefilter's Aho–Corasick search, field
 * lookup, time parsing). Not run by the build: {@code java -cp procwatch-bench/target/procwatch-bench.jar
 * org.openjdk.jmh.Main io.procwatch.bench.micro} (see README, "Micro-benchmarks").
 */
package io.procwatch.bench.micro;
