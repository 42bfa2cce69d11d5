/**
 * The main job ({@code ./mvnw -q exec:java}, {@link dev.vectorgrad.demo.Main}): the founding PyTorch
 * program, ported line by line ({@link dev.vectorgrad.demo.SeedPrograms}), then PyTorch training
 * scripts ported line by line ({@link dev.vectorgrad.demo.Training}: an MLP on the bundled digits, or
 * on Fashion-MNIST with {@code -Dexec.args=fashion-mnist}). The progress bar and the charts use
 * example-only libraries (optional Maven dependencies: {@code me.tongfei:progressbar},
 * {@code org.knowm.xchart:xchart}) that the rest of the module does not need.
 */
package dev.vectorgrad.demo;
